"""Exclusive and inclusive gateways with several outgoing flows: each flow has a condition or is the default;
the default names one of the gateway's own outgoing flows and carries no condition (it would be ignored)."""
from __future__ import annotations

from engine.authoring.context import LintContext
from engine.authoring.findings import Finding, at
from engine.deploy.bundle_xml import NS

CHECK = "gateways"


def _condition(flow_el) -> str:
    el = flow_el.find("bpmn:conditionExpression", NS)
    return (el.text or "").strip() if el is not None else ""


def check_gateways(ctx: LintContext) -> list[Finding]:
    found = []
    for file in ctx.files:
        model = file.model
        for node in model.nodes.values():
            if node.kind not in ("exclusiveGateway", "inclusiveGateway") or not file.executable(node.process):
                continue
            outgoing = model.outgoing(node.id)
            default = node.el.get("default")
            if default and default not in {f.id for f in outgoing}:
                found.append(at("error", CHECK, file.path, node.el, f'default flow "{default}" is not an outgoing '
                                                                    "flow of this gateway"))
            if len(outgoing) < 2:
                continue
            for flow in outgoing:
                if flow.id == default:
                    if _condition(flow.el):
                        found.append(at("warning", CHECK, file.path, flow.el, f'default flow of gateway "{node.name or node.id}" '
                                                                              "has a condition, which is never checked"))
                elif not _condition(flow.el):
                    found.append(at("error", CHECK, file.path, flow.el, f'flow out of gateway "{node.name or node.id}" '
                                                                        "has no condition and is not the gateway's "
                                                                        "default flow"))
    return found
