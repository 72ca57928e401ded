"""`carepath layout` on one file: read, lay out, splice the new BPMNDI in, and prove the semantics unchanged."""
from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from engine.authoring.diagram import DI_NS
from engine.authoring.dixml import splice
from engine.authoring.layout import layout_root
from engine.authoring.shapes import Layout
from engine.deploy.bundle_xml import BPMN_NS
from engine.errors import InvalidInput


@dataclass
class Relaid:
    data: bytes
    changed: bool
    layout: Layout


def parse(data: bytes, name: str) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise InvalidInput(f"{name}: XML is not well-formed: {getattr(exc, 'msg', None) or exc}") from None
    if root.tag != f"{{{BPMN_NS}}}definitions":
        raise InvalidInput(f"{name}: not a BPMN 2.0 file (root element is {root.tag})")
    return root


def lay_out(data: bytes, name: str = "file") -> Relaid:
    """The file with a fresh BPMNDI; raises InvalidInput when it cannot be done without touching semantics."""
    root = parse(data, name)
    layout = layout_root(root)
    new = splice(data, root, layout)
    check_semantics_kept(data, new, name, layout)
    return Relaid(new, new != data, layout)


def semantic_part(data: bytes, drop_collaboration: str | None = None) -> bytes:
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
    for diagram in root.findall(f"{{{DI_NS}}}BPMNDiagram"):
        root.remove(diagram)
    if drop_collaboration is not None:
        for collab in root.findall(f"{{{BPMN_NS}}}collaboration"):
            if collab.get("id") == drop_collaboration:
                root.remove(collab)
    for el in root.iter():
        el.tail = (el.tail or "").strip() or None
        if len(el):
            el.text = (el.text or "").strip() or None
    return etree.tostring(root, method="c14n")


def check_semantics_kept(old: bytes, new: bytes, name: str, layout: Layout) -> None:
    added = layout.collaboration.id if layout.collaboration is not None else None
    if semantic_part(old) != semantic_part(new, added):
        raise InvalidInput(f"{name}: the new diagram could not be written without changing the model; "
                           "nothing was written")
