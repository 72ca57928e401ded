"""Writing a Layout back into a BPMN file: the BPMNDiagram elements are replaced, every other byte is kept.

The new diagrams go where the first old one was (or before the closing definitions tag). Namespace prefixes
the root does not declare are declared on each BPMNDiagram element, so the root start tag never changes. A
missing collaboration (a process with lanes needs a pool) is inserted just before the first process.
"""
from __future__ import annotations

import re
from xml.sax.saxutils import quoteattr

from lxml import etree

from engine.authoring.diagram import DC_NS, DD_DI_NS, DI_NS, Box
from engine.authoring.planes import Plane
from engine.authoring.shapes import (
    Layout,
)
from engine.deploy.bundle_xml import BPMN_NS
from engine.errors import InvalidInput

PREFIXES = (("bpmndi", DI_NS), ("dc", DC_NS), ("di", DD_DI_NS))


class Writer:
    def __init__(self, root: etree._Element, indent: str, unit: str, newline: str):
        self.used = semantic_ids(root)
        self.declare = "".join(f" xmlns:{p}={quoteattr(uri)}" for p, uri in PREFIXES if root.nsmap.get(p) != uri)
        self.indent, self.unit, self.newline = indent, unit, newline

    def di_id(self, element: str) -> str:
        return self.fresh(f"{element}_di")

    def fresh(self, wanted: str) -> str:
        name, i = wanted, 2
        while name in self.used:
            name, i = f"{wanted}{i}", i + 1
        self.used.add(name)
        return name

    def diagram(self, plane: Plane) -> str:
        lines: list[str] = []
        u, base = self.unit, self.indent
        diagram_id, plane_id = self.fresh(f"BPMNDiagram_{plane.element}"), self.fresh(f"BPMNPlane_{plane.element}")
        lines.append(f"<bpmndi:BPMNDiagram id={quoteattr(diagram_id)}{self.declare}>")
        lines.append(f"{base}{u}<bpmndi:BPMNPlane id={quoteattr(plane_id)} bpmnElement={quoteattr(plane.element)}>")
        pad = base + u * 2
        for shape in plane.shapes:
            attrs = "".join(f" {k}={quoteattr(v)}" for k, v in shape.attrs.items())
            lines.append(f"{pad}<bpmndi:BPMNShape id={quoteattr(self.di_id(shape.element))} "
                         f"bpmnElement={quoteattr(shape.element)}{attrs}>")
            lines.append(f"{pad}{u}{bounds(shape.box)}")
            if shape.label is not None:
                lines += label_lines(shape.label, pad + u, u)
            lines.append(f"{pad}</bpmndi:BPMNShape>")
        for edge in plane.edges:
            lines.append(f"{pad}<bpmndi:BPMNEdge id={quoteattr(self.di_id(edge.element))} "
                         f"bpmnElement={quoteattr(edge.element)}>")
            lines += [f'{pad}{u}<di:waypoint x="{x}" y="{y}" />' for x, y in edge.points]
            if edge.label is not None:
                lines += label_lines(edge.label, pad + u, u)
            lines.append(f"{pad}</bpmndi:BPMNEdge>")
        lines.append(f"{base}{u}</bpmndi:BPMNPlane>")
        lines.append(f"{base}</bpmndi:BPMNDiagram>")
        return self.newline.join(lines)


def semantic_ids(root: etree._Element) -> set[str]:
    """Ids outside the BPMNDiagram elements (the old diagram's ids are free again)."""
    return {el.get("id") for el in root.iter() if isinstance(el.tag, str) and el.get("id")
            and not any(a.tag == f"{{{DI_NS}}}BPMNDiagram" for a in el.iterancestors())
            and el.tag != f"{{{DI_NS}}}BPMNDiagram"}


def bounds(box: Box) -> str:
    return f'<dc:Bounds x="{int(box.x)}" y="{int(box.y)}" width="{int(box.w)}" height="{int(box.h)}" />'


def label_lines(box: Box, pad: str, unit: str) -> list[str]:
    return [f"{pad}<bpmndi:BPMNLabel>", f"{pad}{unit}{bounds(box)}", f"{pad}</bpmndi:BPMNLabel>"]


def _qname(el) -> bytes:
    name = etree.QName(el).localname
    return (f"{el.prefix}:{name}" if el.prefix else name).encode()


def _line_indent(data: bytes, pos: int) -> bytes:
    start = data.rfind(b"\n", 0, pos) + 1
    head = data[start:pos]
    return head if not head.strip() else b""


def _indent_unit(data: bytes) -> bytes:
    found = re.search(rb"\n([ \t]+)<", data)
    return found.group(1) if found else b"  "


def splice(data: bytes, root: etree._Element, layout: Layout) -> bytes:
    """The file's bytes with its BPMNDiagram elements replaced by the layout's."""
    encoding = (root.getroottree().docinfo.encoding or "utf-8").lower()
    if encoding.replace("-", "") not in ("utf8", "ascii", "usascii", "iso88591", "latin1"):
        raise InvalidInput(f"cannot lay out a file encoded in {encoding}: use UTF-8")
    newline = b"\r\n" if b"\r\n" in data else b"\n"
    spans = []
    diagrams = root.findall(f"{{{DI_NS}}}BPMNDiagram")
    for diagram in diagrams:
        name = re.escape(_qname(diagram))
        start_pattern = re.compile(rb"<" + name + rb"(?=[\s/>])")
        prev_end = spans[-1][1] if spans else 0
        match = start_pattern.search(data, prev_end)
        if match is None:
            raise InvalidInput("cannot find the BPMNDiagram element in the file's text")
        tag_end = data.index(b">", match.start())
        if data[tag_end - 1:tag_end] == b"/":
            end = tag_end + 1
        else:
            close = re.compile(rb"</" + name + rb"\s*>").search(data, tag_end)
            if close is None:
                raise InvalidInput("cannot find the end of the BPMNDiagram element in the file's text")
            end = close.end()
        spans.append((match.start(), end))
    unit = _indent_unit(data)
    if spans:
        indent = _line_indent(data, spans[0][0])
        insert_at = spans[0][0]
    else:
        closing = re.compile(rb"</" + re.escape(_qname(root)) + rb"\s*>")
        found = list(closing.finditer(data))
        if not found:
            raise InvalidInput("cannot find the closing definitions tag in the file's text")
        insert_at = found[-1].start()
        indent = unit
    text_enc = "utf-8" if encoding.replace("-", "") in ("utf8",) else "latin-1"
    writer = Writer(root, indent.decode(text_enc), unit.decode(text_enc), newline.decode())
    block = (newline.decode() + indent.decode(text_enc)).join(writer.diagram(p) for p in layout.planes)
    new = block.encode(text_enc, "xmlcharrefreplace")
    if spans:
        out = data[:spans[0][0]] + new
        cursor = spans[0][1]
        for start, end in spans[1:]:
            line_start = start - len(_line_indent(data, start))
            cut = line_start - len(newline) if data[line_start - len(newline):line_start] == newline else start
            out += data[cursor:max(cut, cursor)]
            cursor = end
        out += data[cursor:]
    else:
        line_start = insert_at - len(_line_indent(data, insert_at))
        at_line_start = line_start == 0 or data[line_start - 1:line_start] == b"\n"
        if at_line_start:
            out = data[:line_start] + indent + new + newline + data[line_start:]
        else:
            out = data[:insert_at] + newline + indent + new + newline + data[insert_at:]
    if layout.collaboration is not None:
        out = _insert_collaboration(out, root, layout, unit, newline, text_enc)
    return out


def _insert_collaboration(data: bytes, root, layout: Layout, unit: bytes, newline: bytes, enc: str) -> bytes:
    process = root.find(f"{{{BPMN_NS}}}process")
    prefix = f"{process.prefix}:" if process.prefix else ""
    match = re.compile(rb"<" + _qname(process) + rb"(?=[\s/>])").search(data)
    if match is None:
        raise InvalidInput("cannot find the process element in the file's text")
    indent = _line_indent(data, match.start()).decode(enc)
    u, nl = unit.decode(enc), newline.decode()
    collab = layout.collaboration
    lines = [f"<{prefix}collaboration id={quoteattr(collab.id)}>"]
    lines += [f"{indent}{u}<{prefix}participant id={quoteattr(pid)} name={quoteattr(name)} processRef={quoteattr(proc)} />"
              for pid, name, proc in collab.participants]
    lines.append(f"{indent}</{prefix}collaboration>")
    text = nl.join(lines) + nl + indent
    return data[:match.start()] + text.encode(enc, "xmlcharrefreplace") + data[match.start():]
