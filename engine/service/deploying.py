"""Use cases of pathway versions: check and lay out a bundle, deploy it as a new immutable version, list the
versions and the programs a care team can start."""
from __future__ import annotations

from pathlib import Path

from engine.authoring import lint as lint_mod
from engine.authoring import rewrite
from engine.care import programs
from engine.care.actors import SYSTEM, Actor
from engine.deploy import versions
from engine.deploy.bundle import Bundle, load_bundle
from engine.deploy.versions import DeployResult


class DeployUseCases:
    def deploy(self, source: str | Path | Bundle, actor: Actor = SYSTEM, name: str | None = None) -> DeployResult:
        """Validate and store a bundle (folder, zip or Bundle) as a new numbered pathway version; the same
        content again is no new version. A refused bundle (BundleRefused) lists every problem."""
        bundle = source if isinstance(source, Bundle) else load_bundle(source, name=name)
        with self.transaction(f"deploy {bundle.name}") as session:
            return versions.deploy(session, bundle, actor.name, self.runtime.specs)

    def versions(self):
        """Every pathway version, oldest first; each with `publication` (the studio's change note, publisher,
        approver and test results, or None for a version deployed otherwise)."""
        with self.reading() as session:
            return versions.list_versions(session, with_publication=True)

    def programs(self) -> list[dict]:
        """The programs a care team member can start for a patient ({id, name, documentation}): startable
        processes of each bundle's newest version that no program calls and no message starts."""
        with self.reading() as session:
            return programs.open_only(session, versions.programs_to_start(session))  # not those closed to starts

    @staticmethod
    def lint(path: str | Path) -> lint_mod.LintReport:
        """Check a bundle beyond parsing (diagrams, lanes, forms, decision inputs): every finding with its
        severity, file, line and element (engine.authoring.lint)."""
        return lint_mod.lint_path(path)

    @staticmethod
    def lay_out(data: bytes, name: str = "file") -> rewrite.Relaid:
        """A BPMN file's diagram (BPMNDI) computed left to right; only the diagram changes."""
        return rewrite.lay_out(data, name)
