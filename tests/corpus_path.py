"""Where the public corpus of BPMN, DMN and form files is (shared/corpus, see its MANIFEST.md).

$CAREPATH_CORPUS names it; else the first `shared/corpus` beside the repository or beside any folder above it
(a clean clone somewhere under the work folder finds it too). Without it, the tests that use it are skipped."""
from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def find_corpus() -> Path:
    named = os.environ.get("CAREPATH_CORPUS")
    if named:
        return Path(named).expanduser().resolve()
    for folder in REPO.parents:
        candidate = folder / "shared" / "corpus"
        if candidate.is_dir():
            return candidate
    return REPO.parent / "shared" / "corpus"


CORPUS = find_corpus()
