"""Deploy the shipped pathway library (the whole pathways/ folder), or some of its stages, in tests."""
from __future__ import annotations

from pathlib import Path, PurePosixPath

from engine.deploy.bundle import Bundle, load_bundle

PATHWAYS = Path(__file__).resolve().parents[2] / "pathways"


def deploy_library(pathways):
    """Deploy pathways/ as one bundle through the service; returns the deployment row."""
    return pathways.deploy(PATHWAYS).deployment


def stages_bundle(*stages: str) -> Bundle:
    """pathways/bpmn/<stage>.bpmn of each named stage with every decision table and form of pathways/."""
    library = load_bundle(PATHWAYS)
    files = {path: content for path, content in library.files.items()
             if PurePosixPath(path).suffix != ".bpmn" or PurePosixPath(path).stem in stages}
    missing = set(stages) - {PurePosixPath(path).stem for path in files}
    assert not missing, f"not in pathways/bpmn/: {', '.join(sorted(missing))}"
    return Bundle("+".join(stages), files)


def deploy_stages(pathways, *stages: str):
    """Deploy pathways/bpmn/<stage>.bpmn of each named stage with every decision table and form of pathways/.

    A process some call activity calls is not startable, so once a program calls a stage, deploy_library()
    no longer lets a test start it. Name the stages the first one calls too (assessment calls
    mood_screening): the first stage is the one to start."""
    return pathways.deploy(stages_bundle(*stages)).deployment
