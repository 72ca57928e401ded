"""Settings of e-mail notifications, from the environment. Without CAREPATH_SMTP_HOST nothing is sent."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta

TLS_MODES = ("none", "starttls", "ssl")


class SettingsInvalid(ValueError):
    pass


def _flag_or_mode(value: str | None) -> str:
    value = (value or "none").strip().lower()
    value = {"0": "none", "false": "none", "no": "none", "off": "none", "": "none",
             "1": "starttls", "true": "starttls", "yes": "starttls", "on": "starttls", "tls": "ssl"}.get(value, value)
    if value not in TLS_MODES:
        raise SettingsInvalid(f"CAREPATH_SMTP_TLS must be one of {', '.join(TLS_MODES)}, got {value!r}")
    return value


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 25
    tls: str = "none"  # none, starttls (upgrade a plain connection), ssl (TLS from the start)
    sender: str = "carepath@localhost"
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0

    @classmethod
    def from_env(cls) -> SmtpSettings | None:
        host = (os.environ.get("CAREPATH_SMTP_HOST") or "").strip()
        if not host:
            return None
        tls = _flag_or_mode(os.environ.get("CAREPATH_SMTP_TLS"))
        default_port = {"none": 25, "starttls": 587, "ssl": 465}[tls]
        try:
            port = int(os.environ.get("CAREPATH_SMTP_PORT") or default_port)
            timeout = float(os.environ.get("CAREPATH_SMTP_TIMEOUT") or cls.timeout)
        except ValueError as exc:
            raise SettingsInvalid(f"CAREPATH_SMTP_PORT / CAREPATH_SMTP_TIMEOUT: {exc}") from None
        return cls(host=host, port=port, tls=tls,
                   sender=os.environ.get("CAREPATH_SMTP_SENDER") or cls.sender,
                   username=os.environ.get("CAREPATH_SMTP_USER") or None,
                   password=os.environ.get("CAREPATH_SMTP_PASSWORD") or None, timeout=timeout)


def parse_lead_roles(text: str | None) -> dict[str, str]:
    """'nurse=nurse_lead, social_worker=social_work_lead' -> {'nurse': 'nurse_lead', ...}"""
    mapping = {}
    for pair in (text or "").split(","):
        if not pair.strip():
            continue
        role, sep, lead = pair.partition("=")
        if not sep or not role.strip() or not lead.strip():
            raise SettingsInvalid(f"CAREPATH_LEAD_ROLES expects role=lead_role pairs, got {pair.strip()!r}")
        mapping[role.strip()] = lead.strip()
    return mapping


def _hours(name: str, default: float) -> timedelta:
    try:
        return timedelta(hours=float(os.environ.get(name) or default))
    except ValueError:
        raise SettingsInvalid(f"{name} must be a number of hours") from None


@dataclass(frozen=True)
class NotifySettings:
    reminder_before: timedelta = timedelta(hours=24)  # remind the assignee (or the role) this long before due
    escalate_within: timedelta = timedelta(days=7)  # escalate tasks that became overdue within this window
    lead_roles: dict = field(default_factory=dict)  # role -> the role of its lead (see lead_of)
    base_url: str | None = None  # links to tasks in the web app, when set

    @classmethod
    def from_env(cls) -> NotifySettings:
        return cls(reminder_before=_hours("CAREPATH_REMINDER_HOURS", 24),
                   escalate_within=_hours("CAREPATH_ESCALATE_WITHIN_HOURS", 24 * 7),
                   lead_roles=parse_lead_roles(os.environ.get("CAREPATH_LEAD_ROLES")),
                   base_url=(os.environ.get("CAREPATH_BASE_URL") or "").rstrip("/") or None)

    def lead_of(self, role: str | None) -> str | None:
        """The configured lead role; else `<role>_lead` when carepath knows such a role (nurse -> nurse_lead),
        else the clinical lead."""
        from engine.care.roles import CLINICAL_LEAD, ROLE_LABELS

        if not role:
            return None
        if role in self.lead_roles:
            return self.lead_roles[role]
        return f"{role}_lead" if f"{role}_lead" in ROLE_LABELS else CLINICAL_LEAD
