"""Patient search matches given and family names in any order, word prefixes and MRN prefixes, from an index
(PostgreSQL full-text, SQLite FTS5), the same on both databases."""
from __future__ import annotations

import pytest

from engine.service import SYSTEM, PatientInput
from tests.care_teams.conftest import FIXTURES

BOTH_DATABASES = True  # the indexes and the SQL that asks them differ by database


@pytest.fixture
def registry(pathways):
    for mrn, given, family in (("2040101", "Heather", "Lang"), ("2040102", "Heath", "Langley"),
                               ("2050001", "Mary-Jo", "O'Brien"), ("A-77", "Ada", "Lovelace")):
        pathways.add_patient(PatientInput(mrn=mrn, given_name=given, family_name=family,
                                          birth_date="1950-01-01"), SYSTEM)
    return pathways


def found(service, text):
    return [p.mrn for p in service.find_patients(text).patients]


def test_a_given_name_alone_finds_the_patient(registry):
    assert found(registry, "Heather") == ["2040101"]


def test_the_name_as_the_list_shows_it_finds_the_patient(registry):
    assert found(registry, "Lang, Heather") == ["2040101"]


def test_given_and_family_names_match_in_either_order(registry):
    assert found(registry, "heather lang") == found(registry, "lang heather") == ["2040101"]


def test_every_word_may_be_a_prefix(registry):
    assert found(registry, "hea lan") == ["2040101", "2040102"]


def test_a_partial_mrn_finds_the_patients_whose_mrn_starts_with_it(registry):
    assert found(registry, "20401") == ["2040101", "2040102"]


def test_an_mrn_prefix_matches_in_any_case(registry):
    assert found(registry, "a-7") == ["A-77"]


def test_names_with_hyphens_and_apostrophes_are_found_with_or_without_them(registry):
    assert found(registry, "Jo O'Brien") == found(registry, "obrien maryjo") == ["2050001"]


def test_a_word_that_starts_no_name_finds_nothing(registry):
    assert found(registry, "Heathers") == []


def test_an_exact_mrn_comes_first(registry):
    assert found(registry, "2040102")[0] == "2040102"


def test_a_renamed_patient_is_found_by_the_new_name(registry):
    fields = PatientInput(given_name="Heather", family_name="Fairweather", birth_date="1950-01-01")
    registry.update_patient("2040101", fields, SYSTEM)
    assert found(registry, "fairw") == ["2040101"] and found(registry, "Lang, Heather") == []


def test_the_inbox_filter_finds_tasks_by_a_given_name(registry):
    registry.deploy(FIXTURES / "bpmn" / "review_loop")
    registry.start("review_loop", "2040101", None, SYSTEM)
    assert [t.patient_id for t in registry.tasks(search="Heather")] == ["2040101"]


def test_a_blank_search_lists_every_patient(registry):
    assert len(found(registry, "   ")) == 4


def test_a_search_of_signs_only_finds_nothing(registry):
    assert found(registry, "%_") == []


def test_the_search_is_answered_from_the_indexes_not_by_reading_every_patient(registry):
    """On SQLite a condition written `(...) = 1` is served by no index: the plan must use the FTS5 table and the
    MRN index, never scan the patients. On PostgreSQL (sequential scans off, so an index the query can use is
    used) the plan reads the name index, not the table."""
    from engine.care.patient_search import search_query

    query = search_query("hea la", 25)
    compiled = query.compile(registry.db.engine)
    params = compiled.construct_params()
    with registry.db.engine.connect() as conn:
        if registry.db.dialect == "postgresql":
            conn.exec_driver_sql("SET enable_seqscan = off")
            plan = " ".join(r[0] for r in conn.exec_driver_sql(f"EXPLAIN {compiled}", params))
            assert "ix_patients_search_words" in plan
        else:
            values = tuple(params[name] for name in compiled.positiontup)
            plan = " | ".join(r[-1] for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", values))
            assert "patients_search" in plan and "SCAN patients " not in plan + " ", plan
