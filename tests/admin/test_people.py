"""People: adding accounts, roles, disabling (sessions end), unlocking, a new password at the next sign-in; an
admin cannot take away their own admin role or disable themselves, and one enabled admin always remains."""
from __future__ import annotations

import pytest

from engine.care.actors import Actor
from engine.service import Conflict, Forbidden, InvalidInput
from tests.admin.conftest import ADMIN
from tests.webapp.conftest import PASSWORD

NEW_PASSWORD = "a brand new passphrase"


def test_an_admin_adds_an_account_that_chooses_its_password_at_first_sign_in(service, users):
    account = service.add_account("olga", PASSWORD, ["nurse"], ADMIN, display_name="Olga Ortiz")
    assert (account.roles, account.must_change_password) == (("nurse",), True)


def test_adding_an_account_is_audited_with_who_did_it(service, users):
    service.add_account("olga", PASSWORD, ["nurse"], ADMIN)
    assert ("user_created", "admin") in _events(service)


def test_a_name_with_a_control_character_is_refused(service, users):
    with pytest.raises(InvalidInput, match="the name contains a control character"):
        service.add_account("olga", PASSWORD, ["nurse"], ADMIN, display_name="Olga\x00")


def test_only_admins_change_roles(service, users):
    with pytest.raises(Forbidden):
        service.change_roles("carl", Actor.person("lena", "nurse_lead"), add=["nurse"])


def test_an_admin_cannot_remove_their_own_admin_role(service, users):
    with pytest.raises(Conflict, match="cannot remove your own administrator role"):
        service.change_roles("admin", ADMIN, replace=["nurse"])


def test_an_admin_cannot_disable_themselves(service, users):
    with pytest.raises(Conflict, match="cannot disable your own account"):
        service.set_active("admin", False, ADMIN)


def test_the_last_enabled_admin_cannot_lose_the_role(service, users):
    with pytest.raises(Conflict, match="only enabled administrator"):
        service.change_roles("admin", Actor.system_actor("operator"), replace=["nurse"])


def test_another_admin_may_take_the_role_once_there_are_two(service, users):
    service.change_roles("carl", ADMIN, add=["admin"])
    assert "admin" not in service.change_roles("admin", Actor.person("carl", "admin"), remove=["admin"]).roles


def test_a_disabled_admin_does_not_count_as_the_one_that_remains(service, users):
    service.change_roles("carl", ADMIN, add=["admin"])
    service.set_active("carl", False, ADMIN)
    with pytest.raises(Conflict, match="only enabled administrator"):
        service.set_active("admin", False, Actor.system_actor("operator"))


def test_disabling_ends_the_person_s_sessions(signed_in, service):
    carl = signed_in("carl")
    service.set_active("carl", False, ADMIN)
    assert carl.get("/inbox").status_code == 302


def test_unlock_lifts_a_lockout(service, users):
    for _ in range(5):
        service.sign_in("carl", "wrong password here")
    assert service.user("carl").locked
    assert not service.unlock_account("carl", ADMIN).locked
    assert service.sign_in("carl", PASSWORD).account is not None


def test_a_forced_reset_ends_the_sessions_and_asks_at_the_next_sign_in(signed_in, service):
    carl = signed_in("carl")
    service.require_new_password("carl", ADMIN)
    assert carl.get("/inbox").status_code == 302
    assert service.user("carl").must_change_password


def test_after_a_forced_reset_every_page_leads_to_choosing_a_password(signed_in, service):
    service.require_new_password("carl", ADMIN)
    carl = signed_in("carl")
    response = carl.get("/patients/")
    assert (response.status_code, response.headers["Location"]) == (302, "/account/password")


def test_choosing_the_new_password_lets_them_in(signed_in, service):
    service.require_new_password("carl", ADMIN)
    carl = signed_in("carl")
    carl.get("/account/password")
    response = carl.post("/account/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD,
                                               "new_password_again": NEW_PASSWORD})
    assert response.status_code == 302 and carl.get("/inbox").status_code == 200
    assert not service.user("carl").must_change_password


def test_the_password_they_were_given_is_not_a_new_one(signed_in, service):
    service.require_new_password("carl", ADMIN)
    carl = signed_in("carl")
    carl.get("/account/password")
    response = carl.post("/account/password", {"current_password": PASSWORD, "new_password": PASSWORD,
                                               "new_password_again": PASSWORD})
    assert response.status_code == 400 and "not the one you were given" in response.get_data(as_text=True)


def test_a_wrong_current_password_changes_nothing(signed_in, service):
    carl = signed_in("carl")
    carl.get("/account/password")
    response = carl.post("/account/password", {"current_password": "not it at all", "new_password": NEW_PASSWORD,
                                               "new_password_again": NEW_PASSWORD})
    assert response.status_code == 400 and service.sign_in("carl", PASSWORD).account is not None


def test_the_people_page_shows_last_sign_in_and_state(admin_browser, service):
    service.set_active("carl", False, ADMIN)
    page = admin_browser.get("/admin/users").get_data(as_text=True)
    assert "disabled" in page and "Last sign-in" in page


def test_web_adding_a_person(admin_browser, service):
    admin_browser.get("/admin/users")
    response = admin_browser.post("/admin/users", {"username": "olga", "display_name": "Olga Ortiz",
                                                   "email": "olga@example.org", "password": PASSWORD,
                                                   "roles": ["nurse", "care_manager"], "must_change": "yes"})
    assert response.status_code == 302 and service.user("olga").roles == ("care_manager", "nurse")


def test_web_a_refused_new_person_is_shown_again_with_why(admin_browser):
    admin_browser.get("/admin/users")
    response = admin_browser.post("/admin/users", {"username": "olga", "password": "short", "roles": ["nurse"]})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "at least 12 characters" in page and 'value="olga"' in page


def test_web_disabling_yourself_says_why_not(admin_browser, service):
    admin_browser.get("/admin/users/admin")
    admin_browser.post("/admin/users/admin/active", {"active": "no"})
    page = admin_browser.get("/admin/users/admin").get_data(as_text=True)
    assert "cannot disable your own account" in page and service.user("admin").active


def test_web_an_unknown_person_is_a_404(admin_browser):
    assert admin_browser.get("/admin/users/nobody-here").status_code == 404


def _events(service) -> list[tuple[str, str]]:
    from engine.models import AuditEvent

    with service.db.transaction() as s:
        return [(e.action, e.actor) for e in s.query(AuditEvent).order_by(AuditEvent.id)]
