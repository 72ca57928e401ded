"""Decision inputs: every variable a DMN input expression reads is produced upstream of the business rule task
that calls the decision (see engine.authoring.dataflow for what produces a name)."""
from __future__ import annotations

from engine.authoring.context import LintContext
from engine.authoring.dataflow import DataFlow, called_decision, free_names
from engine.authoring.findings import Finding, at

CHECK = "dataflow"


def check_decision_inputs(ctx: LintContext) -> list[Finding]:
    flow, found = DataFlow(ctx), []
    for file in ctx.files:
        for node in file.model.nodes.values():
            if node.kind != "businessRuleTask" or not file.executable(node.process):
                continue
            decision = called_decision(node)
            if not decision or decision not in ctx.index.decisions:
                continue  # deploy reports it
            available = None
            dmn, decision_el = ctx.index.decisions[decision][0]
            for text_el in decision_el.iterfind(".//{*}input/{*}inputExpression/{*}text"):
                names = free_names(text_el.text or "")
                if not names:
                    continue
                available = flow.available(file, node) if available is None else available
                for name in sorted(names - available):
                    found.append(at("error", CHECK, file.path, node.el,
                                    f'decision "{decision}" reads `{name}` (input {text_el.text.strip()!r}, '
                                    f"{dmn.path} line {text_el.sourceline}), which nothing upstream of this task "
                                    "produces: no form field, script, earlier decision, message or declared start "
                                    "data (spiffworkflow property startData)"))
    return found
