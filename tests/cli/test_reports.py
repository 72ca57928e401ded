"""`carepath reports refresh`: the report summaries brought up to date from the command line."""
from __future__ import annotations

import json

import pytest


@pytest.fixture
def ready(run, frozen_clock):
    """A set-up database, on the tests' pinned clock (5 January 2026)."""
    assert run("init-db").exit_code == 0
    return run


def _refresh(run, *args) -> dict:
    result = run("--json", "reports", "refresh", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_first_refresh_builds_every_month_of_the_picker(ready):
    assert len(_refresh(ready)["built"]) == 13


def test_refresh_with_nothing_changed_builds_no_month_again(ready):
    _refresh(ready)
    done = _refresh(ready)
    assert (done["built"], done["work"]["whole"], done["tcm"]["whole"]) == ([], False, False)


def test_whole_refresh_works_everything_out_again(ready):
    _refresh(ready)
    done = _refresh(ready, "--whole")
    assert (len(done["built"]), done["work"]["whole"], done["tcm"]["whole"]) == (13, True, True)


def test_refresh_says_what_it_did_in_words(ready):
    result = ready("reports", "refresh", "--whole")
    assert "CCM months built again: 2026-01, 2025-12" in result.output
    assert "TCM discharges worked out: 0 (all)" in result.output


def test_refresh_of_a_database_never_set_up_is_refused(run):
    result = run("reports", "refresh")
    assert result.exit_code == 4
    assert "Traceback" not in result.output
