"""A bundle's BPMN and DMN files read as XML (lxml, so every problem gets its line), and the index the checks and
the parser look things up in: processes by id, decisions by id, elements of executable processes."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import PurePosixPath

from lxml import etree

from engine.deploy.bundle import Bundle
from engine.errors import Problem

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS, "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI"}
XINCLUDE_NS = ("http://www.w3.org/2001/XInclude", "http://www.w3.org/2003/XInclude")


def q(tag: str) -> str:
    return f"{{{BPMN_NS}}}{tag}"


def is_executable(proc) -> bool:
    return proc.get("isExecutable", "true") == "true"


@dataclass
class XmlDoc:
    path: str
    root: etree._Element

    @cached_property
    def by_id(self) -> dict[str, etree._Element]:
        return {el.get("id"): el for el in self.root.iter() if isinstance(el.tag, str) and el.get("id")}


@dataclass
class BundleIndex:
    """The bundle's well-formed XML documents and what the checks look up in them."""

    bundle: Bundle
    bpmn: list[XmlDoc]
    dmn: list[XmlDoc]
    processes: dict[str, list[tuple[XmlDoc, etree._Element]]] = field(default_factory=dict)
    decisions: dict[str, list[tuple[XmlDoc, etree._Element]]] = field(default_factory=dict)

    def __post_init__(self):
        for doc in self.bpmn:
            for proc in doc.root.iterfind("bpmn:process", NS):
                self.processes.setdefault(proc.get("id"), []).append((doc, proc))
        for doc in self.dmn:
            for decision in doc.root.iterfind(".//{*}decision"):
                self.decisions.setdefault(decision.get("id"), []).append((doc, decision))

    def executable(self):
        """(doc, process) for every executable process, as SpiffWorkflow decides it."""
        for doc in self.bpmn:
            for proc in doc.root.iterfind("bpmn:process", NS):
                if is_executable(proc):
                    yield doc, proc

    def find(self, *tags: str):
        """(doc, element) for every element of these BPMN tags inside an executable process."""
        for doc, proc in self.executable():
            for el in proc.iter(*(q(tag) for tag in tags)):
                yield doc, el

    def files_named(self, name: str) -> list[str]:
        return list(self._paths_by_name.get(PurePosixPath(name).name, ()))

    @cached_property
    def _paths_by_name(self) -> dict[str, list[str]]:
        """The bundle's paths by file name, worked out once: checks look forms up by name hundreds of times."""
        found: dict[str, list[str]] = {}
        for path in self.bundle.files:
            found.setdefault(PurePosixPath(path).name, []).append(path)
        return found

    def doc(self, path: str) -> XmlDoc | None:
        return next((d for d in self.bpmn + self.dmn if d.path == path), None)


def load_xml(bundle: Bundle) -> tuple[list[XmlDoc], list[XmlDoc], list[Problem]]:
    """Parse every .bpmn and .dmn file; well-formedness, root element and DTD or XInclude problems (a file with
    one is refused, and left out of the index like a file that is not well-formed)."""
    bpmn, dmn, problems = [], [], []
    for path in sorted(bundle.files):
        kind = PurePosixPath(path).suffix.lower()
        if kind not in (".bpmn", ".dmn"):
            continue
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
        try:
            root = etree.fromstring(bundle.files[path], parser)
        except (etree.XMLSyntaxError, ValueError) as exc:
            message = getattr(exc, "msg", None) or str(exc)
            problems.append(Problem(path, f"XML is not well-formed: {message}", line=getattr(exc, "lineno", None)))
            continue
        if outside := references_outside(path, bundle.files[path], root):
            problems += outside
            continue
        name = etree.QName(root)
        if kind == ".bpmn" and (name.namespace, name.localname) != (BPMN_NS, "definitions"):
            problems.append(Problem(path, f"not a BPMN 2.0 file: root element is {root.tag}, expected "
                                          f"{{{BPMN_NS}}}definitions", line=root.sourceline))
        elif kind == ".dmn" and (name.localname != "definitions" or "/DMN/" not in (name.namespace or "")):
            problems.append(Problem(path, f"not a DMN file: root element is {root.tag}", line=root.sourceline))
        else:
            (bpmn if kind == ".bpmn" else dmn).append(XmlDoc(path, root))
    return bpmn, dmn, problems


def references_outside(path: str, data: bytes, root) -> list[Problem]:
    """A DOCTYPE (an external DTD, entities) or XInclude elements: ways for an XML file to pull in what is not
    in it. Nothing is fetched or expanded when the bundle is read (entities stay unresolved, no DTD is loaded),
    but such a file is refused rather than stored as it is, for whatever reads it next."""
    found = []
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        at = data.find(b"<!DOCTYPE")
        line = data.count(b"\n", 0, at) + 1 if at >= 0 else root.sourceline
        dtd = docinfo.system_url or docinfo.public_id
        what = f'a DOCTYPE naming an external DTD ("{dtd}")' if dtd else "a DOCTYPE"
        found.append(Problem(path, f"the file has {what}: BPMN and DMN files may not declare a DTD or entities; "
                                   "remove the DOCTYPE", line=line))
    for el in root.iter():
        if isinstance(el.tag, str) and etree.QName(el).namespace in XINCLUDE_NS:
            href = el.get("href")
            found.append(Problem(path, f"XInclude element xi:{etree.QName(el).localname}"
                                       f"{f' ({href})' if href else ''}: BPMN and DMN files may not include other "
                                       "files; put what it holds in the file itself", el.get("id"), el.sourceline))
    return found
