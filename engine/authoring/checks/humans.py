"""Human tasks: a user or manual task lies in a lane that names a known role; a user task names a form and a UI
schema; every form file any task names is in the bundle and valid (JSON Schema for forms, JSON for UI schemas,
engine.deploy.validation's own checks)."""
from __future__ import annotations

from engine.authoring.context import LintContext
from engine.authoring.findings import Finding, at
from engine.authoring.model import spiff_properties
from engine.deploy import validation
from engine.runtime.pending import role_from_lane

try:
    from engine.roles import TEAM_ROLES as KNOWN_ROLES
except ImportError:  # pragma: no cover - engine.care.roles arrived with accounts
    KNOWN_ROLES = ("care_manager", "nurse", "nurse_lead", "social_worker", "pharmacist", "dietitian", "chw",
                   "physician")

ROLE, FORM = "roles", "forms"
HUMAN = ("userTask", "manualTask")


def check_roles(ctx: LintContext) -> list[Finding]:
    found = []
    for file in ctx.files:
        model = file.model
        for node in model.nodes.values():
            if node.kind not in HUMAN or not file.executable(node.process):
                continue
            lane = model.lane_of(node.id)
            if lane is None:
                found.append(at("error", ROLE, file.path, node.el, f"{node.kind} lies in no lane, so its inbox row "
                                                                   "has no role (lanes name roles)"))
            elif role_from_lane(lane.name) not in KNOWN_ROLES:
                found.append(at("error", ROLE, file.path, node.el, f'{node.kind} lies in lane "{lane.name}", which '
                                                                   f"is not a known role ({', '.join(KNOWN_ROLES)})"))
    return found


def check_forms(ctx: LintContext) -> list[Finding]:
    found = []
    for file in ctx.files:
        for node in file.model.nodes.values():
            if node.kind != "userTask" or not file.executable(node.process):
                continue
            props = spiff_properties(node.el)
            if not props.get("formJsonSchemaFilename"):
                found.append(at("error", FORM, file.path, node.el, "user task names no form (spiffworkflow:property "
                                                                   "formJsonSchemaFilename)"))
            if not props.get("formUiSchemaFilename"):
                found.append(at("error", FORM, file.path, node.el, "user task names no UI schema "
                                                                   "(spiffworkflow:property formUiSchemaFilename)"))
    checked: set[str] = set()
    for doc, task, prop, name in validation.form_references(ctx.index):
        paths = ctx.index.files_named(name)
        if len(paths) != 1:
            why = "is not in the bundle" if not paths else f"is ambiguous: {', '.join(sorted(paths))}"
            found.append(at("error", FORM, doc.path, task, f'form file "{name}" ({prop}) {why}'))
        elif paths[0] not in checked:
            checked.add(paths[0])
            problems = validation.check_form_file(paths[0], ctx.index.bundle.files[paths[0]],
                                                  ui=prop == "formUiSchemaFilename")
            found += [Finding.of(p, "error", FORM) for p in problems]
    return found
