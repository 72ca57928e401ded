"""Names: every task, every event and every gateway that splits (two or more outgoing flows) has a name, so
diagrams, inboxes and histories read well."""
from __future__ import annotations

from engine.authoring.context import LintContext
from engine.authoring.findings import Finding, at
from engine.authoring.model import is_task

CHECK = "names"


def check_names(ctx: LintContext) -> list[Finding]:
    found = []
    for file in ctx.files:
        model = file.model
        for node in model.nodes.values():
            if node.name:
                continue
            splits = node.is_gateway and len(model.outgoing(node.id)) >= 2
            if is_task(node.kind) or node.is_event or splits:
                what = "gateway with several outgoing flows" if splits else node.kind
                found.append(at("warning", CHECK, file.path, node.el, f"{what} has no name"))
    return found
