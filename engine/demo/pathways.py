"""Which pathways a demo deploys: the shipped ones (./pathways, else the repository's), or the test pathway
review_loop when a folder has no BPMN file."""
from __future__ import annotations

from pathlib import Path

from engine.deploy.bundle import wanted
from engine.errors import NotFound

REPO_ROOT = Path(__file__).resolve().parents[2]
FALLBACK = REPO_ROOT / "tests" / "fixtures" / "bpmn" / "review_loop"
BUNDLE_NAME = "carepath-pathways"


def default_pathways() -> Path:
    local = Path("pathways")
    return local if local.is_dir() else REPO_ROOT / "pathways"


def has_bpmn(folder: Path) -> bool:
    if not folder.is_dir():
        return False
    return any(p.suffix.lower() == ".bpmn" and wanted(p.relative_to(folder).as_posix()) for p in folder.rglob("*"))


def choose_bundle(folder: Path) -> tuple[Path, str | None, str | None]:
    """(what to deploy, bundle name, a note for the user)."""
    if has_bpmn(folder):
        return folder, BUNDLE_NAME, None
    if has_bpmn(FALLBACK):
        return FALLBACK, None, f"{folder} has no .bpmn file yet; using the test pathway {FALLBACK.name} instead"
    raise NotFound(f"nothing to run: {folder} has no .bpmn file and the fallback pathway {FALLBACK} is "
                   "missing; pass --pathways FOLDER with a bundle")


def first_startable(deployment) -> dict:
    startable = [p for p in deployment.processes if p.get("startable")]
    plain = [p for p in startable if not p.get("message_start_events") and not p.get("timer_start")]
    if not (plain or startable):
        raise NotFound(f"{deployment.label} has no pathway that can be started")
    return (plain or startable)[0]
