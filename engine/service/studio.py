"""Use cases of the pathway studio: the workspace, drafts and their files (saved with a conflict check, linted on
every save), the new-program template, tidy layout, test cases (run, walk, record), reviews, publishing and
version history. Only clinical leads edit, test and publish; admins may look and approve; everyone else is
refused. Every change is in the audit trail."""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from engine.authoring import lint as lint_mod
from engine.authoring import questionnaire as questionnaire_mod
from engine.authoring import rewrite
from engine.authoring.findings import Finding
from engine.care.actors import Actor
from engine.config import StudioSettings
from engine.deploy import versions
from engine.deploy.bundle import Bundle, load_bundle
from engine.errors import Forbidden, InvalidInput, InvalidState, NotFound
from engine.models import Deployment, StudioDraft, StudioTestRun
from engine.roles import CLINICAL_LEAD, ROLES
from engine.studio import cases, checks, diffs, drafts, publishing, template, testing
from engine.studio.publishing import Readiness
from engine.time import clock

BULKY = ("data", "open_tasks", "waiting")  # kept with a failing case's result only


@dataclass
class DraftFiles:
    """A draft with its files' names and versions, what changed lately, its last test run and its reviews."""

    draft: StudioDraft
    files: list[dict]
    changes: list
    test_run: StudioTestRun | None
    reviews: list
    processes: list[dict] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)


@dataclass
class Saved:
    path: str
    version: int
    findings: list[Finding]
    lint_ms: float


@dataclass
class ReviewPage:
    draft: StudioDraft
    base: Deployment | None
    files: list[diffs.FileDiff]
    readiness: Readiness
    findings: list[Finding]
    reviews: list
    may_review: bool = False  # the one looking may approve or ask for changes now


@dataclass
class VersionRow:
    deployment: Deployment
    publication: object | None


_LINTED: OrderedDict[str, tuple[Finding, ...]] = OrderedDict()
_LINTED_LOCK = threading.Lock()


def _lint(bundle: Bundle) -> list[Finding]:
    """`carepath lint` of a draft. The same content gives the same findings, so the last few are kept: the file
    opened after a save, the review page and publishing ask again about what the save just linted."""
    key = f"{bundle.name}/{bundle.content_hash}"
    with _LINTED_LOCK:
        if key in _LINTED:
            _LINTED.move_to_end(key)
            return list(_LINTED[key])
    findings = lint_mod.lint_bundle(bundle).findings
    with _LINTED_LOCK:
        _LINTED[key] = tuple(findings)
        while len(_LINTED) > 16:
            _LINTED.popitem(last=False)
    return findings


def _may_view(actor: Actor) -> None:
    if not (actor.is_admin or CLINICAL_LEAD in actor.roles):
        raise Forbidden("the pathway studio is for clinical leads (and admins, who review)")


def _may_edit(actor: Actor) -> None:
    if CLINICAL_LEAD not in actor.roles:
        raise Forbidden("only a clinical lead edits, tests and publishes pathways")


def _mapped(resource: dict) -> tuple[dict, dict, list[str], str]:
    """(schema, UI schema, what was not mapped, a file name) from the Questionnaire mapping of issue 16."""
    if hasattr(questionnaire_mod, "import_questionnaire"):
        form = questionnaire_mod.import_questionnaire(resource)
        problems = [f"{u.get('linkId')}: {u.get('reason')}" if isinstance(u, dict) else str(u) for u in form.unmapped]
        return form.schema, form.ui_schema, problems, form.name
    schema, ui_schema, problems = questionnaire_mod.questionnaire_to_form(resource)
    return schema, ui_schema, list(problems), str(resource.get("name") or resource.get("id") or "questionnaire")


class StudioUseCases:
    studio_settings: StudioSettings | None = None  # None: read from the environment on first use

    def _studio(self) -> StudioSettings:
        if self.studio_settings is None:
            self.studio_settings = StudioSettings.from_env()
        return self.studio_settings

    # ------------------------------------------------------------------------------------------ workspace
    def studio_workspace(self, actor: Actor) -> dict:
        """{bundle: {"versions": [VersionRow...], "drafts": [open drafts]}} and recently closed drafts."""
        _may_view(actor)
        with self.reading() as session:
            bundles: dict[str, dict] = {}
            for row in self._version_rows(session):
                bundles.setdefault(row.deployment.name, {"versions": [], "drafts": []})["versions"].append(row)
            for draft in drafts.open_drafts(session):
                bundles.setdefault(draft.bundle, {"versions": [], "drafts": []})["drafts"].append(draft)
            closed = drafts.recent_drafts(session)
            session.expunge_all()
        return {"bundles": dict(sorted(bundles.items())), "closed": closed}

    @staticmethod
    def _version_rows(session, bundle: str | None = None) -> list[VersionRow]:
        query = select(Deployment).options(selectinload(Deployment.publication)).order_by(
            Deployment.name, Deployment.version)
        if bundle:
            query = query.where(Deployment.name == bundle)
        return [VersionRow(d, d.publication) for d in session.scalars(query)]

    def version_history(self, bundle: str, actor: Actor) -> list[VersionRow]:
        """Every version of a bundle, newest first, with who published it, when, the change note, the approver
        and the test results (none for a version deployed from the command line)."""
        _may_view(actor)
        with self.reading() as session:
            rows = self._version_rows(session, bundle)
            session.expunge_all()
        if not rows:
            raise NotFound(f"no bundle called '{bundle}'")
        return list(reversed(rows))

    # ------------------------------------------------------------------------------------------ drafts
    def open_draft(self, bundle: str, actor: Actor, version: int | None = None, title: str | None = None) -> int:
        """A new draft copied from the bundle's newest version, or from `version`; returns its id."""
        _may_edit(actor)
        with self.transaction(f"open a draft of {bundle}") as session:
            base = drafts.find_version(session, bundle, version)
            name = title or (f"Roll back to version {base.version}" if version else f"Changes to {bundle}")
            draft = drafts.create(session, bundle, name, actor.name, drafts.deployment_files(session, base.id), base)
            return draft.id

    def roll_back(self, bundle: str, version: int, actor: Actor) -> int:
        """A draft holding an older version's files, to publish again as a new version (reviewed like any)."""
        newest = self.open_draft(bundle, actor, version, f"Roll back to version {version}")
        return newest

    def new_program(self, bundle: str, program_id: str, name: str, actor: Actor) -> int:
        """A draft of `bundle` (its newest version) with a new program from the template, calling the library's
        stages, laid out, with a first test case; returns the draft's id."""
        _may_edit(actor)
        with self.transaction(f"start program {program_id}") as session:
            base = drafts.find_version(session, bundle, None)
            known = {p["id"] for p in base.processes}
            program_id, name = template.check_program(program_id, name, known)
            content = drafts.deployment_files(session, base.id)
            path = f"bpmn/{program_id}.bpmn"
            content[path] = rewrite.lay_out(template.program_bpmn(program_id, name), path).data
            draft = drafts.create(session, bundle, f"New program: {name}", actor.name, content, base)
            drafts.record(session, draft, "added", actor.name, f"{path} from the new program template")
            return draft.id

    def draft_files(self, draft_id: int, actor: Actor) -> DraftFiles:
        _may_view(actor)
        with self.reading() as session:
            draft = drafts.get(session, draft_id)
            rows = drafts.files(session, draft_id)
            files = [{"path": p, "version": r.version, "bytes": len(r.content), "updated_by": r.updated_by,
                      "updated_at": r.updated_at, "kind": diffs.kind_of(p)} for p, r in rows.items()]
            view = DraftFiles(draft, files, drafts.changes(session, draft_id), publishing.latest_run(session, draft_id),
                              publishing.reviews(session, draft_id), *drafts.catalogue(rows))
            session.expunge_all()
        return view

    def draft_file(self, draft_id: int, path: str, actor: Actor) -> tuple[bytes, int]:
        """A file's content and version."""
        _may_view(actor)
        with self.reading() as session:
            drafts.get(session, draft_id)
            row = drafts.files(session, draft_id).get(path)
            if row is None:
                raise NotFound(f"draft {draft_id} has no file {path}")
            return row.content, row.version

    def save_draft_file(self, draft_id: int, path: str, content: bytes, base_version: int | None, actor: Actor,
                        action: str = "saved") -> Saved:
        """Store a file (base_version None: a new file), refusing one that is not sound and a save made from an
        older version (Conflict); then lint the whole draft, as `carepath lint` and deploy would."""
        _may_edit(actor)
        path = drafts.check_path(path)
        checks.require_sound(path, content)
        with self.transaction(f"save {path}") as session:
            draft = drafts.get(session, draft_id)
            row = drafts.save_file(session, draft, path, content, base_version, actor.name, action)
            version, bundle = row.version, drafts.bundle_of(session, draft)
        started = time.perf_counter()
        findings = _lint(bundle)
        return Saved(path, version, findings, (time.perf_counter() - started) * 1000)

    def remove_draft_file(self, draft_id: int, path: str, base_version: int | None, actor: Actor) -> None:
        _may_edit(actor)
        with self.transaction(f"remove {path}") as session:
            drafts.remove_file(session, drafts.get(session, draft_id), path, base_version, actor.name)

    def lint_draft(self, draft_id: int, actor: Actor) -> list[Finding]:
        _may_view(actor)
        return _lint(self._draft_bundle(draft_id))

    def _draft_bundle(self, draft_id: int) -> Bundle:
        with self.reading() as session:
            return drafts.bundle_of(session, drafts.get(session, draft_id))

    def tidy_draft_file(self, draft_id: int, path: str, base_version: int, actor: Actor) -> Saved:
        """`carepath layout` on a diagram of the draft, saved as a new version of the file."""
        _may_edit(actor)
        content, _ = self.draft_file(draft_id, path, actor)
        relaid = rewrite.lay_out(content, path)
        return self.save_draft_file(draft_id, path, relaid.data, base_version, actor, action="tidied")

    def discard_draft(self, draft_id: int, actor: Actor) -> None:
        _may_edit(actor)
        with self.transaction(f"discard draft {draft_id}") as session:
            drafts.discard(session, drafts.get(session, draft_id), actor.name)

    def import_questionnaire(self, draft_id: int, name: str, resource: dict, actor: Actor) -> dict:
        """A FHIR R4 Questionnaire as a form of the draft (forms/NAME-schema.json and -uischema.json, NAME from the
        questionnaire when not given), mapped by engine.authoring.questionnaire; returns {"schema": path,
        "ui_schema": path, "problems": [what could not be mapped, and why]}."""
        _may_edit(actor)
        if not isinstance(resource, dict) or resource.get("resourceType") != "Questionnaire":
            raise InvalidInput("the file is not a FHIR Questionnaire (resourceType must be \"Questionnaire\")")
        schema, ui_schema, problems, suggested = _mapped(resource)
        base = f"forms/{(name or '').strip() or suggested}"
        for suffix, value in (("-schema.json", schema), ("-uischema.json", ui_schema)):
            self.save_draft_file(draft_id, base + suffix, checks.pretty_json(value), None, actor, action="imported")
        return {"schema": base + "-schema.json", "ui_schema": base + "-uischema.json", "problems": list(problems)}

    # ------------------------------------------------------------------------------------------ tests
    def run_draft_tests(self, draft_id: int, actor: Actor) -> StudioTestRun:
        """Run every test case of the draft as it is now; the run is kept (publishing needs a green one)."""
        _may_edit(actor)
        with self.reading() as session:
            draft = drafts.get(session, draft_id)
            bundle = drafts.bundle_of(session, draft)
        report = testing.run_bundle(bundle, self.runtime)
        results = [{k: v for k, v in o.to_dict().items() if o.result.passed is False or k not in BULKY}
                   for o in report.outcomes] + [
            {"file": None, "case": None, "passed": False, "message": p} for p in report.problems]
        with self.transaction(f"record the tests of draft {draft_id}") as session:
            draft = drafts.get(session, draft_id)
            run = StudioTestRun(draft_id=draft_id, content_hash=bundle.content_hash, run_by=actor.name,
                                run_at=clock.now(), passed=report.passed, failed=report.failed, results=results)
            session.add(run)
            drafts.record(session, draft, "tested", actor.name, f"{report.passed} passed, {report.failed} failed")
            session.flush()
            session.expunge(run)
        return run

    def walk_draft(self, draft_id: int, bpmn_path: str, case_json: dict, actor: Actor) -> testing.CaseOutcome:
        """Play a case being recorded as far as its answers go: open tasks, waits, the path so far."""
        _may_edit(actor)
        case = cases.parse_case(cases.test_file_for(bpmn_path), "walk", case_json)
        bundle = self._draft_bundle(draft_id)
        if bpmn_path not in bundle.files:
            raise NotFound(f"draft {draft_id} has no file {bpmn_path}")
        return testing.walk(bundle, bpmn_path, case, self.runtime)

    def save_test_case(self, draft_id: int, bpmn_path: str, name: str, case_json: dict, actor: Actor) -> Saved:
        """Add or replace case `name` in the test file beside `bpmn_path`."""
        _may_edit(actor)
        path = cases.test_file_for(bpmn_path)
        with self.reading() as session:
            drafts.get(session, draft_id)
            row = drafts.files(session, draft_id).get(path)
            content, version = (row.content, row.version) if row else (None, None)
        new = cases.with_case(path, content, (name or "").strip(), case_json)
        return self.save_draft_file(draft_id, path, new, version, actor, action="saved")

    @staticmethod
    def test_pathways(path) -> testing.CaseReport:
        """Every test case of a bundle folder or zip (`carepath test`)."""
        return testing.run_bundle(load_bundle(path))

    # ------------------------------------------------------------------------------------------ review, publish
    def _readiness(self, session, draft: StudioDraft, findings: list[Finding]) -> Readiness:
        counts = {s: sum(1 for f in findings if f.severity == s) for s in ("error", "warning")}
        return publishing.readiness(session, draft, counts, self._studio().two_person_review)

    def request_publish(self, draft_id: int, note: str, actor: Actor):
        """Publish the draft with its change note. With two-person review on (the default), a clean lint and
        green tests send it for a second person's approval, which publishes it (returns None meanwhile);
        without it, it is published at once (returns the DeployResult). InvalidState lists what is missing."""
        _may_edit(actor)
        bundle = self._draft_bundle(draft_id)
        findings = _lint(bundle)
        with self.transaction(f"publish draft {draft_id}") as session:
            draft = drafts.get(session, draft_id, for_update=True)
            drafts.open_draft(draft)
            draft.change_note = publishing.check_note(note)
            state = self._readiness(session, draft, findings)
            missing = [m for m in state.missing if not m.startswith("a second person")]
            if missing:
                raise InvalidState(f"draft {draft_id} cannot be published yet; it needs " + "; ".join(missing))
            if state.two_person and state.approval is None:
                publishing.submit(session, draft, note, actor.name)
                return None
            return self._deploy(session, draft, bundle, state, actor.name)

    def review_draft(self, draft_id: int, decision: str, comment: str | None, actor: Actor):
        """A second person's decision: approved, or changes requested (with a comment). An approval of a draft
        that is otherwise ready publishes it (returns the DeployResult, else None)."""
        _may_view(actor)
        bundle = self._draft_bundle(draft_id)
        findings = _lint(bundle) if decision == publishing.APPROVED else []
        with self.transaction(f"review draft {draft_id}") as session:
            draft = drafts.get(session, draft_id, for_update=True)
            publishing.review(session, draft, decision, comment, actor.name, actor.roles,
                              drafts.content_hash(session, draft))
            if decision != publishing.APPROVED:
                return None
            state = self._readiness(session, draft, findings)
            if not state.ready or state.content_hash != bundle.content_hash:
                return None
            return self._deploy(session, draft, bundle, state, draft.submitted_by or actor.name)

    def _deploy(self, session, draft: StudioDraft, bundle: Bundle, state: Readiness, publisher: str):
        result = versions.deploy(session, bundle, publisher, self.runtime.specs)
        if not result.created:
            raise InvalidState(f"{bundle.name} version {result.deployment.version} already has exactly this "
                               "content: there is nothing new to publish")
        publishing.record_publication(session, draft, result.deployment, state, publisher)
        return result

    def review_page(self, draft_id: int, actor: Actor) -> ReviewPage:
        _may_view(actor)
        bundle = self._draft_bundle(draft_id)
        findings = _lint(bundle)
        with self.reading() as session:
            draft = drafts.get(session, draft_id)
            base = session.get(Deployment, draft.base_deployment_id) if draft.base_deployment_id else None
            before = drafts.deployment_files(session, base.id) if base else {}
            page = ReviewPage(draft, base, diffs.bundle_diff(before, bundle.files),
                              self._readiness(session, draft, findings), findings, publishing.reviews(session, draft.id),
                              publishing.may_review(session, draft, actor.name, actor.roles))
            session.expunge_all()
        return page

    def version_file(self, bundle: str, version: int, path: str, actor: Actor) -> bytes:
        _may_view(actor)
        with self.reading() as session:
            found = drafts.deployment_files(session, drafts.find_version(session, bundle, version).id)
        if path not in found:
            raise NotFound(f"{bundle} version {version} has no file {path}")
        return found[path]

    def publish_draft(self, draft_id: int, actor: Actor):
        """Deploy an approved (or, without two-person review, a noted) draft as the bundle's next immutable
        version; InvalidState lists what it still needs."""
        _may_edit(actor)
        bundle = self._draft_bundle(draft_id)
        findings = _lint(bundle)
        with self.transaction(f"publish draft {draft_id}") as session:
            draft = drafts.get(session, draft_id, for_update=True)
            drafts.open_draft(draft)
            state = self._readiness(session, draft, findings)
            if state.content_hash != bundle.content_hash:
                raise InvalidState(f"draft {draft_id} changed while it was being published; publish again")
            if not state.ready:
                raise InvalidState(f"draft {draft_id} cannot be published yet; it needs "
                                   + "; ".join(state.missing))
            return self._deploy(session, draft, bundle, state, actor.name)

    def studio_roles(self) -> list[str]:
        return list(ROLES)

