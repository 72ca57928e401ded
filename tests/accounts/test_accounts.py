"""User accounts: creation rules, roles, passwords and sign-in with lockout."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.care import accounts
from engine.errors import Conflict, InvalidInput
from engine.models import AuditEvent, User

PASSWORD = "correct horse battery"


@pytest.fixture
def session(database):
    with database.transaction() as s:
        yield s


def test_password_is_stored_as_an_argon2_hash(session):
    user = accounts.create_user(session, "nina", PASSWORD, ["nurse"])
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_roles_are_kept_sorted_and_unique(session):
    user = accounts.create_user(session, "nina", PASSWORD, ["nurse", "care_manager", "nurse"])
    assert user.roles == ["care_manager", "nurse"]


def test_unknown_role_is_refused_with_its_name(session):
    with pytest.raises(InvalidInput, match="unknown role.*surgeon"):
        accounts.create_user(session, "nina", PASSWORD, ["surgeon"])


def test_short_password_is_refused(session):
    with pytest.raises(InvalidInput, match="at least 12 characters"):
        accounts.create_user(session, "nina", "short", ["nurse"])


def test_password_containing_the_username_is_refused(session):
    with pytest.raises(InvalidInput, match="must not contain the username"):
        accounts.create_user(session, "nina", "nina-is-the-best-nurse", ["nurse"])


def test_username_with_spaces_is_refused(session):
    with pytest.raises(InvalidInput, match="username 'nina x' is not valid"):
        accounts.create_user(session, "nina x", PASSWORD, ["nurse"])


def test_second_user_with_the_same_name_is_a_conflict(session):
    accounts.create_user(session, "nina", PASSWORD, ["nurse"])
    with pytest.raises(Conflict, match="already exists"):
        accounts.create_user(session, "Nina", PASSWORD, ["nurse"])


def test_sign_in_with_the_right_password_returns_the_user(session):
    accounts.create_user(session, "nina", PASSWORD, ["nurse"])
    assert accounts.sign_in(session, "nina", PASSWORD).user.username == "nina"


def test_sign_in_with_a_wrong_password_is_refused(session):
    accounts.create_user(session, "nina", PASSWORD, ["nurse"])
    assert accounts.sign_in(session, "nina", "wrong password!!").user is None


def test_sign_in_of_an_unknown_user_is_refused(session):
    assert accounts.sign_in(session, "nobody", PASSWORD).user is None


def test_five_failures_lock_the_account_even_for_the_right_password(session):
    accounts.create_user(session, "nina", PASSWORD, ["nurse"])
    for _ in range(accounts.LOCK_AFTER):
        accounts.sign_in(session, "nina", "wrong password!!")
    attempt = accounts.sign_in(session, "nina", PASSWORD)
    assert (attempt.user, attempt.reason) == (None, "locked")


def test_a_locked_account_opens_again_after_the_lock_period(session, frozen_clock):
    accounts.create_user(session, "nina", PASSWORD, ["nurse"])
    for _ in range(accounts.LOCK_AFTER):
        accounts.sign_in(session, "nina", "wrong password!!")
    frozen_clock.advance(accounts.LOCK_FOR + timedelta(seconds=1))
    assert accounts.sign_in(session, "nina", PASSWORD).user is not None


def test_a_disabled_user_cannot_sign_in(session):
    accounts.create_user(session, "nina", PASSWORD, ["nurse"])
    accounts.set_active(session, "nina", False)
    assert accounts.sign_in(session, "nina", PASSWORD).reason == "disabled"


def test_setting_a_password_unlocks_the_account(session):
    accounts.create_user(session, "nina", PASSWORD, ["nurse"])
    for _ in range(accounts.LOCK_AFTER):
        accounts.sign_in(session, "nina", "wrong password!!")
    accounts.set_password(session, "nina", "another long password")
    assert accounts.sign_in(session, "nina", "another long password").user is not None


def test_changing_roles_is_audited_with_before_and_after(database):
    with database.transaction() as session:
        accounts.create_user(session, "nina", PASSWORD, ["nurse"])
    with database.transaction() as session:
        accounts.set_roles(session, "nina", ["nurse", "care_manager"], by="admin")
    with database.transaction() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "user_roles_changed")).one()
        assert (event.actor, event.details["before"], event.details["after"]) == \
            ("admin", ["nurse"], ["care_manager", "nurse"])


def test_users_holding_a_role_include_admins_but_not_other_roles(session):
    accounts.create_user(session, "nina", PASSWORD, ["nurse"])
    accounts.create_user(session, "sam", PASSWORD, ["social_worker"])
    accounts.create_user(session, "ada", PASSWORD, ["admin"])
    assert [u.username for u in accounts.users_holding(session, "nurse")] == ["ada", "nina"]


def test_removing_a_role_keeps_the_others(database):
    with database.transaction() as session:
        accounts.create_user(session, "nina", PASSWORD, ["nurse", "care_manager"])
    with database.transaction() as session:
        accounts.set_roles(session, "nina", ["nurse"])
    with database.transaction() as session:
        assert session.scalars(select(User)).one().roles == ["nurse"]
