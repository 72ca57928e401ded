"""Who may run the installation and who oversees whom: admins run operations (deploy, instances, migrations,
background work, accounts); admins and privacy officers read the audit trail; a lead oversees the team roles
they lead (engine.care.access: a nurse lead the nurses, a clinical lead every team role). The system itself (timers, the CLI's
operator without --role) counts as an admin."""
from __future__ import annotations

from engine import roles
from engine.care import access, characters
from engine.care.actors import Actor
from engine.errors import Forbidden, InvalidInput

LEAD_ROLES = (roles.CLINICAL_LEAD, "nurse_lead")
AUDIT_READERS = (roles.ADMIN, roles.PRIVACY_OFFICER)
MAX_REASON = 500


def require_admin(actor: Actor, doing: str) -> None:
    if not actor.is_admin:
        raise Forbidden(f"only an administrator may {doing}; {actor.name} is not one")


def may_read_audit(actor: Actor) -> bool:
    return actor.system or any(r in actor.roles for r in AUDIT_READERS)


def require_audit_reader(actor: Actor) -> None:
    if not may_read_audit(actor):
        raise Forbidden(f"only an administrator or a privacy officer may read the audit trail; {actor.name} is "
                        "neither")


def is_lead(actor: Actor) -> bool:
    return actor.is_admin or any(r in actor.roles for r in LEAD_ROLES)


def led_roles(actor: Actor) -> tuple[str, ...]:
    """The team roles `actor` oversees (engine.care.access decides who leads whom): every one for an admin."""
    if actor.is_admin:
        return roles.TEAM_ROLES
    led = access.led_roles(actor)
    return tuple(r for r in roles.TEAM_ROLES if r in led)


def require_lead(actor: Actor, doing: str) -> tuple[str, ...]:
    """The roles the actor leads; Forbidden when they lead none."""
    led = led_roles(actor) if is_lead(actor) else ()
    if not led:
        raise Forbidden(f"only a team lead may {doing}; {actor.name} leads no team")
    return led


def require_reason(reason: str | None, doing: str, *, required: bool = True) -> str:
    """A reason typed by a person: trimmed, plain text, at most 500 characters; refused empty when required."""
    text = (reason or "").strip()
    characters.require_text("the reason", text)
    if required and not text:
        raise InvalidInput(f"say why you {doing}: a reason is required and kept in the history")
    if len(text) > MAX_REASON:
        raise InvalidInput(f"the reason is {len(text)} characters long; at most {MAX_REASON}")
    return text
