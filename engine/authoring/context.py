"""What every lint check reads: the bundle's XML index (engine.deploy.parsing), a model and the diagram of each BPMN
file, and the form files by name. Built once per lint run."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property

from engine.authoring.diagram import PlaneInfo, read_planes
from engine.authoring.model import BpmnModel, read_model
from engine.deploy.bundle_xml import BundleIndex, XmlDoc, is_executable


@dataclass
class BpmnFile:
    doc: XmlDoc
    model: BpmnModel
    planes: list[PlaneInfo]

    @property
    def path(self) -> str:
        return self.doc.path

    def executable(self, process_id: str) -> bool:
        scope = self.model.scopes.get(process_id)
        return scope is not None and is_executable(scope.el)


@dataclass
class LintContext:
    index: BundleIndex
    files: list[BpmnFile] = field(default_factory=list)

    @classmethod
    def of(cls, index: BundleIndex) -> LintContext:
        return cls(index, [BpmnFile(doc, read_model(doc.root), read_planes(doc.root)) for doc in index.bpmn])

    def form(self, name: str) -> dict | None:
        """A form or UI schema file of the bundle by file name, parsed; None when missing, ambiguous or broken."""
        paths = self.index.files_named(name)
        if len(paths) != 1:
            return None
        try:
            data = json.loads(self.index.bundle.files[paths[0]])
        except (ValueError, UnicodeDecodeError):
            return None
        return data if isinstance(data, dict) else None

    @cached_property
    def process_files(self) -> dict[str, BpmnFile]:
        """The file of every process id (the first definition)."""
        found: dict[str, BpmnFile] = {}
        for file in self.files:
            for scope in file.model.processes:
                found.setdefault(scope.id, file)
        return found
