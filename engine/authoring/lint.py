"""`carepath lint`: every check over a bundle, every finding at once, sorted by file and line.

A check that fails on a model nobody foresaw reports an internal error finding instead of stopping the run.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from engine.authoring.checks.data import check_data_objects
from engine.authoring.checks.decisions import check_decision_inputs
from engine.authoring.checks.deploy import check_deploy
from engine.authoring.checks.diagram import check_diagram
from engine.authoring.checks.gateways import check_gateways
from engine.authoring.checks.geometry import check_geometry
from engine.authoring.checks.humans import check_forms, check_roles
from engine.authoring.checks.names import check_names
from engine.authoring.context import LintContext
from engine.authoring.findings import SEVERITIES, Finding
from engine.deploy.bundle import Bundle, load_bundle
from engine.deploy.bundle_xml import BundleIndex, load_xml
from engine.errors import InvalidInput

log = logging.getLogger(__name__)

CHECKS = (check_deploy, check_diagram, check_geometry, check_roles, check_forms, check_gateways,
          check_decision_inputs, check_data_objects, check_names)
BUNDLE_FOLDERS = ("bpmn", "dmn", "forms")

__all__ = ["CHECKS", "SEVERITIES", "LintReport", "lint_bundle", "lint_path"]


@dataclass
class LintReport:
    bundle: str
    findings: list[Finding]

    def counts(self) -> dict[str, int]:
        return {s: sum(1 for f in self.findings if f.severity == s) for s in ("error", "warning", "info")}

    def at_least(self, severity: str) -> list[Finding]:
        return [f for f in self.findings if SEVERITIES[f.severity] >= SEVERITIES[severity]]


def lint_bundle(bundle: Bundle, only: set[str] | None = None) -> LintReport:
    """Lint a bundle; with `only`, keep the findings about those files."""
    bpmn, dmn, _ = load_xml(bundle)  # what does not parse, check_deploy reports (parse_bundle says it)
    ctx = LintContext.of(BundleIndex(bundle, bpmn, dmn))
    findings: list[Finding] = []
    for check in CHECKS:
        findings += _safely(check, ctx)
    unique = list(dict.fromkeys(findings))
    if only is not None:
        unique = [f for f in unique if f.file in only]
    unique.sort(key=lambda f: (f.file, f.line or 0, -SEVERITIES[f.severity], f.check, f.element or "", f.message))
    return LintReport(bundle.name, unique)


def _safely(check, ctx: LintContext) -> list[Finding]:
    try:
        return check(ctx)
    except Exception as exc:  # noqa: BLE001 - lint reports, it never crashes on a model
        log.exception("lint check %s failed", check.__name__)
        return [Finding("error", check.__name__.removeprefix("check_"), ctx.index.bundle.name,
                        f"internal error in the check: {type(exc).__name__}: {exc}")]


def lint_path(path: str | Path) -> LintReport:
    """Lint a bundle folder or zip; for a single .bpmn or .dmn file, the bundle around it (its folder, or the
    folder above a bpmn/, dmn/ or forms/ folder), keeping the findings about that file and the files it names."""
    source = Path(path)
    if source.is_file() and source.suffix.lower() in (".bpmn", ".dmn"):
        root = source.parent.parent if source.parent.name in BUNDLE_FOLDERS else source.parent
        bundle = load_bundle(root, name=source.name)
        rel = source.resolve().relative_to(root.resolve()).as_posix()
        if rel not in bundle.files:
            raise InvalidInput(f"{source}: not readable as part of a bundle")
        return lint_bundle(bundle, only={rel, *_named_by(bundle, rel)})
    return lint_bundle(load_bundle(source))


def _named_by(bundle: Bundle, rel: str) -> set[str]:
    """Bundle files a BPMN file names: forms by their file name, DMN files by the id of their decision."""
    text = bundle.files[rel].decode("utf-8", "replace")
    found = set()
    for path, data in bundle.files.items():
        if path == rel:
            continue
        if PurePosixPath(path).name in text:
            found.add(path)
        elif path.lower().endswith(".dmn"):
            ids = re.findall(r"<(?:\w+:)?decision\b[^>]*\bid=\"([^\"]+)\"", data.decode("utf-8", "replace"))
            if any(f">{decision}<" in text for decision in ids):
                found.add(path)
    return found
