"""`carepath users`: add, list, change roles, set passwords; clear errors for bad input."""
from __future__ import annotations

import json

import pytest

PASSWORD = "correct horse battery\n"


@pytest.fixture
def migrated(run):
    assert run("init-db").exit_code == 0
    return run


def test_users_add_reads_the_password_from_stdin(migrated):
    result = migrated("users", "add", "nina", "--role", "nurse,care_manager", "--name", "Nina Ng",
                      "--password-stdin", input=PASSWORD)
    assert result.exit_code == 0, result.output
    assert "added user nina with roles: care_manager, nurse" in result.output


def test_users_list_shows_roles_as_json(migrated):
    migrated("users", "add", "nina", "--role", "nurse", "--password-stdin", input=PASSWORD)
    rows = json.loads(migrated("users", "list", "--json").output)
    assert [(r["username"], r["roles"]) for r in rows] == [("nina", ["nurse"])]


def test_users_list_filters_by_role(migrated):
    migrated("users", "add", "nina", "--role", "nurse", "--password-stdin", input=PASSWORD)
    migrated("users", "add", "sam", "--role", "social_worker", "--password-stdin", input=PASSWORD)
    rows = json.loads(migrated("users", "list", "--role", "social_worker", "--json").output)
    assert [r["username"] for r in rows] == ["sam"]


def test_users_roles_adds_and_removes(migrated):
    migrated("users", "add", "nina", "--role", "nurse", "--password-stdin", input=PASSWORD)
    result = migrated("users", "roles", "nina", "--add", "nurse_lead", "--remove", "nurse")
    assert result.output.strip() == "nina: nurse_lead"


def test_unknown_role_exits_2_naming_the_role(migrated):
    result = migrated("users", "add", "nina", "--role", "surgeon", "--password-stdin", input=PASSWORD)
    assert result.exit_code == 2
    assert "unknown role(s): surgeon" in result.stderr


def test_short_password_exits_2(migrated):
    result = migrated("users", "add", "nina", "--role", "nurse", "--password-stdin", input="short\n")
    assert result.exit_code == 2
    assert "at least 12 characters" in result.stderr


def test_existing_user_exits_4(migrated):
    migrated("users", "add", "nina", "--role", "nurse", "--password-stdin", input=PASSWORD)
    result = migrated("users", "add", "nina", "--role", "nurse", "--password-stdin", input=PASSWORD)
    assert (result.exit_code, "already exists" in result.stderr) == (4, True)


def test_roles_of_an_unknown_user_exits_3(migrated):
    result = migrated("users", "roles", "nobody")
    assert (result.exit_code, "no user 'nobody'" in result.stderr) == (3, True)
