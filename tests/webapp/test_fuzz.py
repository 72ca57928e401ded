"""Every route and form of the web app, fed random and hostile values (hypothesis): no answer is a 5xx, on SQLite
and on PostgreSQL. Hostile means huge numbers, NUL and other control characters, markup, SQL, paths, long text."""
from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

HOSTILE = ["\x00", "a\x00b", "\x1b[31m", "'; DROP TABLE patients; --", "<script>alert(1)</script>",
           "../../etc/passwd", "%00", "0", "-1", "2147483648", "9223372036854775808", "1" * 40, "1e308",
           "\u202eevil", "😀" * 50, "x" * 5000, "", " ", "{{7*7}}", "null", "[]", "{}", "2026-02-30", "true"]
VALUES = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=60), st.integers(-2**70, 2**70).map(str))
QUERY_KEYS = ["q", "page", "tab", "sort", "dir", "priority", "due_from", "due_to", "role", "program", "next"]
FORM_KEYS = ["action", "task_uuid", "_minutes", "decision", "progress_note", "assignee", "follow_up", "program",
             "mrn", "given_name", "family_name", "birth_date", "sex", "phone", "email", "address", "conditions",
             "username", "password", "next", "add:rows", "remove:rows.0"]
SKIP = {"static", "form_assets", "diagrams.vendor", "auth.logout"}  # files; signing out ends the fuzzing session
FUZZ = settings(max_examples=120, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture
def routes(app):
    return sorted((rule.rule, sorted(rule.methods - {"HEAD", "OPTIONS"}), sorted(rule.arguments))
                  for rule in app.url_map.iter_rules() if rule.endpoint not in SKIP)


@pytest.fixture
def admin(signed_in, review):
    browser = signed_in("admin")
    browser.get(f"/tasks/{review.id}")  # a page with the CSRF token
    return browser


def _path(rule: str, arguments: list[str], draw) -> str:
    for name in arguments:
        value = draw(st.one_of(VALUES, st.just("MRN-1"), st.just("1")))
        rule = rule.replace(f"<{name}>", quote(value, safe=""), 1)
        for converter in ("int", "path", "string", "id"):
            rule = rule.replace(f"<{converter}:{name}>", quote(value, safe=""), 1)
    return rule


@FUZZ
@given(data=st.data())
def test_no_route_answers_a_server_error_whatever_it_is_sent(admin, routes, data):
    rule, methods, arguments = data.draw(st.sampled_from(routes))
    path = _path(rule, arguments, data.draw)
    query = data.draw(st.dictionaries(st.sampled_from(QUERY_KEYS), VALUES, max_size=4))
    method = data.draw(st.sampled_from(methods))
    if method == "GET":
        response = admin.get(path, query_string=query)
    else:
        form = data.draw(st.dictionaries(st.sampled_from(FORM_KEYS), VALUES, max_size=6))
        response = admin.post(path, form, query_string=query)
    assert response.status_code < 500, (method, path, query, response.status_code)


@FUZZ
@given(fields=st.dictionaries(st.sampled_from(FORM_KEYS), VALUES, min_size=1, max_size=8))
def test_the_task_form_takes_any_post_without_a_server_error(admin, review, fields):
    fields.setdefault("task_uuid", review.task_uuid)
    response = admin.post(f"/tasks/{review.id}", fields)
    assert response.status_code < 500, (fields, response.status_code)


@FUZZ
@given(fields=st.dictionaries(st.sampled_from(FORM_KEYS[8:18]), VALUES, min_size=1, max_size=10))
def test_adding_a_patient_takes_any_post_without_a_server_error(admin, fields):
    response = admin.post("/patients/new", fields)
    assert response.status_code < 500, (fields, response.status_code)
