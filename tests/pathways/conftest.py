"""The whole pathway library deployed, and the care team that works its tasks (the program scenario tests)."""
from __future__ import annotations

import pytest

from tests.pathways.answers import Team
from tests.pathways.library import deploy_library


@pytest.fixture
def team(pathways):
    deploy_library(pathways)
    return Team(pathways)
