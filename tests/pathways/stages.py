"""Deploy one stage of the library on its own, so that a stage the programs call can still be started directly.

A process that some call activity calls is not startable (engine.parsing), so once a program calls a stage,
deploy_library() no longer lets a test start that stage. stage_bundle() keeps the stage's BPMN file with every
decision table and form of pathways/ (and none of the other diagrams).
"""
from __future__ import annotations

from pathlib import PurePosixPath

from engine.bundle import Bundle, load_bundle
from tests.pathways.library import PATHWAYS


def stage_bundle(stage: str) -> Bundle:
    library = load_bundle(PATHWAYS)
    files = {path: content for path, content in library.files.items()
             if PurePosixPath(path).suffix != ".bpmn" or PurePosixPath(path).stem == stage}
    assert any(PurePosixPath(path).stem == stage for path in files), f"no bpmn/{stage}.bpmn in pathways/"
    return Bundle(stage, files)


def deploy_stage(pathways, stage: str):
    """Deploy pathways/bpmn/<stage>.bpmn with the library's decision tables and forms; returns the deployment."""
    return pathways.deploy(stage_bundle(stage)).deployment
