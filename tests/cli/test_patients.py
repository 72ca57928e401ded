"""`carepath patients`: the registry a pathway starts for, from the command line."""
from __future__ import annotations

import json

ADA = ("--given", "Ada", "--family", "Lovelace", "--birth-date", "1950-12-10")


def test_a_patient_added_from_the_cli_can_start_a_pathway(deployed):
    assert deployed("patients", "add", "MRN-7", *ADA, "--condition", "COPD").exit_code == 0
    assert deployed("start", "review_loop", "--patient", "MRN-7").exit_code == 0


def test_a_patient_with_a_bad_field_is_refused_naming_it(deployed):
    result = deployed("patients", "add", "MRN-7", "--given", "Ada", "--family", "Lovelace",
                      "--birth-date", "1950-02-30")
    assert result.exit_code == 2 and "birth_date" in result.stderr


def test_patients_list_finds_by_name(deployed):
    deployed("patients", "add", "MRN-7", *ADA)
    body = json.loads(deployed("--json", "patients", "list", "--search", "Lovel").stdout)
    assert [p["mrn"] for p in body["patients"]] == ["MRN-7"]


def test_patients_import_adds_the_good_rows_and_names_the_refused_ones(deployed, tmp_path):
    csv = tmp_path / "patients.csv"
    csv.write_text("mrn,given_name,family_name,birth_date\nMRN-8,Grace,Hopper,1906-12-09\nMRN-9,Alan,,1912-06-23\n")
    result = deployed("patients", "import", csv)
    assert "1 patient(s) added, 1 row(s) refused" in result.stdout and "line 3" in result.stderr
