"""What deploy refuses, as lint errors: engine.deploy.parsing and engine.deploy.validation run unchanged. The problems of the
two validation checks lint repeats in more detail (gateways, forms) are left out here to avoid doubles."""
from __future__ import annotations

from engine.authoring.context import LintContext
from engine.authoring.findings import Finding
from engine.deploy import validation
from engine.deploy.parsing import parse_bundle
from engine.errors import BundleRefused

CHECK = "deploy"
SUPERSEDED = (validation.check_gateways, validation.check_forms)


def check_deploy(ctx: LintContext) -> list[Finding]:
    try:
        parse_bundle(ctx.index.bundle)
        problems = []
    except BundleRefused as refused:
        problems = refused.problems
    repeated = {p for check in SUPERSEDED for p in check(ctx.index)}
    found = [Finding.of(p, "error", CHECK) for p in problems if p not in repeated]
    found += [Finding.of(p, "info", CHECK) for p in validation.non_executable_warnings(ctx.index)]
    return found
