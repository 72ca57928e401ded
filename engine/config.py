"""carepath's settings, typed and read from the environment in one place: the web app, the CLI and the background
workers all take them from here (`Settings.from_env()`). The embedded default needs none of them: SQLite under
the instance folder, background work in-process, no e-mail.

Imports nothing of the engine but `engine.errors` and the role names of `engine.care.roles`.
"""
from __future__ import annotations

import getpass
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from engine.errors import InvalidInput
from engine.roles import CLINICAL_LEAD, ROLE_LABELS

DATABASE_ENV = "DATABASE_URL"
HOME_ENV = "CAREPATH_HOME"
USER_ENV = "CAREPATH_USER"
BROKER_ENV = "CELERY_BROKER_URL"
TLS_MODES = ("none", "starttls", "ssl")


class SettingsInvalid(InvalidInput, ValueError):
    """A setting in the environment that cannot be read; the message names the variable."""


def _env(env: Mapping | None) -> Mapping:
    return os.environ if env is None else env


def _text(env: Mapping, name: str) -> str | None:
    value = (env.get(name) or "").strip()
    return value or None


def _number(env: Mapping, name: str, default: float, *, positive: bool = True) -> float:
    value = _text(env, name)
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        raise SettingsInvalid(f"{name} must be a number, got {value!r}") from None
    if positive and number <= 0:
        raise SettingsInvalid(f"{name} must be positive, got {value!r}")
    return number


def _flag(env: Mapping, name: str, default: bool | None) -> bool | None:
    value = _text(env, name)
    if value is None:
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise SettingsInvalid(f"{name} must be on or off (1/0, true/false, yes/no), got {value!r}")


# ------------------------------------------------------------------------------------------------ background work
@dataclass(frozen=True)
class JobSettings:
    broker_url: str | None = None  # None: everything in-process
    sweep_seconds: float = 5.0  # how often due timers are looked for (beat, or the in-process thread)
    timer_lease_seconds: float = 60.0  # a claimed timer is someone's for this long; then anyone may retry it
    job_lease_seconds: float = 300.0  # the same for a background job or a notification being sent
    claim_batch: int = 25  # timers claimed at once by one worker
    drain_seconds: float = 20.0  # one fire_timers task claims batches for at most this long
    fanout: int = 8  # fire_timers tasks a sweep starts at most (more than there are workers)
    visibility_timeout: float = 3600.0  # Redis: an unacknowledged task goes back to the queue after this
    notify_seconds: float = 60.0  # how often reminders and escalations are planned
    report_seconds: float = 30.0  # how often the summaries reports read ahead are brought up to date
    digest_hour: int = 7  # the daily digest, at this hour (UTC)
    max_attempts: int = 5  # a failing job or notification is retried this many times in all
    redispatch_seconds: float = 60.0  # a queued job not started this long after its bell rang is rung again
    queue: str = "carepath"
    flower_url: str | None = None  # Celery's Flower, linked from the admin console (CAREPATH_FLOWER_URL)

    @classmethod
    def from_env(cls, env: Mapping | None = None, **overrides) -> JobSettings:
        env = _env(env)
        values = dict(
            broker_url=_text(env, BROKER_ENV),
            sweep_seconds=_number(env, "CAREPATH_SWEEP_SECONDS", cls.sweep_seconds),
            timer_lease_seconds=_number(env, "CAREPATH_TIMER_LEASE_SECONDS", cls.timer_lease_seconds),
            job_lease_seconds=_number(env, "CAREPATH_JOB_LEASE_SECONDS", cls.job_lease_seconds),
            claim_batch=int(_number(env, "CAREPATH_CLAIM_BATCH", cls.claim_batch)),
            drain_seconds=_number(env, "CAREPATH_DRAIN_SECONDS", cls.drain_seconds),
            fanout=int(_number(env, "CAREPATH_SWEEP_FANOUT", cls.fanout)),
            visibility_timeout=_number(env, "CAREPATH_VISIBILITY_TIMEOUT", cls.visibility_timeout),
            notify_seconds=_number(env, "CAREPATH_NOTIFY_SECONDS", cls.notify_seconds),
            report_seconds=_number(env, "CAREPATH_REPORT_SECONDS", cls.report_seconds),
            digest_hour=int(_number(env, "CAREPATH_DIGEST_HOUR", cls.digest_hour, positive=False)) % 24,
            max_attempts=int(_number(env, "CAREPATH_JOB_ATTEMPTS", cls.max_attempts)),
            redispatch_seconds=_number(env, "CAREPATH_REDISPATCH_SECONDS", cls.redispatch_seconds),
            queue=_text(env, "CAREPATH_QUEUE") or cls.queue,
            flower_url=_text(env, "CAREPATH_FLOWER_URL"),
        )
        values.update(overrides)
        return cls(**values)

    @property
    def in_process(self) -> bool:
        return not self.broker_url


# ------------------------------------------------------------------------------------------------ e-mail
def _tls_mode(value: str | None) -> str:
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
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0

    @classmethod
    def from_env(cls, env: Mapping | None = None) -> SmtpSettings | None:
        """None without CAREPATH_SMTP_HOST: notifications are off."""
        env = _env(env)
        host = _text(env, "CAREPATH_SMTP_HOST")
        if not host:
            return None
        tls = _tls_mode(env.get("CAREPATH_SMTP_TLS"))
        default_port = {"none": 25, "starttls": 587, "ssl": 465}[tls]
        return cls(host=host, port=int(_number(env, "CAREPATH_SMTP_PORT", default_port)), tls=tls,
                   sender=_text(env, "CAREPATH_SMTP_SENDER") or cls.sender,
                   username=_text(env, "CAREPATH_SMTP_USER"), password=env.get("CAREPATH_SMTP_PASSWORD") or None,
                   timeout=_number(env, "CAREPATH_SMTP_TIMEOUT", cls.timeout))


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


@dataclass(frozen=True)
class NotifySettings:
    reminder_before: timedelta = timedelta(hours=24)  # remind the assignee (or the role) this long before due
    escalate_within: timedelta = timedelta(days=7)  # escalate tasks that became overdue within this window
    lead_roles: dict = field(default_factory=dict)  # role -> the role of its lead (see lead_of)
    base_url: str | None = None  # links to tasks in the web app, when set

    @classmethod
    def from_env(cls, env: Mapping | None = None) -> NotifySettings:
        env = _env(env)
        return cls(reminder_before=timedelta(hours=_number(env, "CAREPATH_REMINDER_HOURS", 24)),
                   escalate_within=timedelta(hours=_number(env, "CAREPATH_ESCALATE_WITHIN_HOURS", 24 * 7)),
                   lead_roles=parse_lead_roles(env.get("CAREPATH_LEAD_ROLES")),
                   base_url=(_text(env, "CAREPATH_BASE_URL") or "").rstrip("/") or None)

    def lead_of(self, role: str | None) -> str | None:
        """The configured lead role; else `<role>_lead` when carepath knows such a role (nurse -> nurse_lead),
        else the clinical lead."""
        if not role:
            return None
        if role in self.lead_roles:
            return self.lead_roles[role]
        return f"{role}_lead" if f"{role}_lead" in ROLE_LABELS else CLINICAL_LEAD


# ------------------------------------------------------------------------------------------------ pathway studio
@dataclass(frozen=True)
class StudioSettings:
    two_person_review: bool = True  # publishing a draft needs a second person's approval

    @classmethod
    def from_env(cls, env: Mapping | None = None) -> StudioSettings:
        env = _env(env)
        return cls(two_person_review=_flag(env, "CAREPATH_STUDIO_TWO_PERSON_REVIEW", True))


# ------------------------------------------------------------------------------------------------ web app
def _proxies(env: Mapping) -> int:
    count = _number(env, "CAREPATH_TRUSTED_PROXIES", 0, positive=False)
    if count < 0 or count != int(count) or count > 10:
        raise SettingsInvalid(f"CAREPATH_TRUSTED_PROXIES must be a whole number of proxies from 0 to 10, got {count!r}")
    return int(count)


@dataclass(frozen=True)
class WebSettings:
    secret_key: str | None = field(default=None, repr=False)  # None: a random key kept in the instance folder
    idle_minutes: int = 15  # a session ends after this long without activity
    secure_cookies: bool | None = None  # None: on, except for `carepath serve` on 127.0.0.1
    sign_in_rate_limit: str = "10 per minute"  # failed sign-ins per client address
    rate_limit_storage: str = "memory://"
    trusted_proxies: int = 0  # proxies in front of the app whose X-Forwarded-For/-Proto are believed
    node_modules: Path | None = None  # where the npm packages the pages use were installed

    @classmethod
    def from_env(cls, env: Mapping | None = None) -> WebSettings:
        env = _env(env)
        modules = _text(env, "CAREPATH_NODE_MODULES")
        return cls(secret_key=_text(env, "CAREPATH_SECRET_KEY"),
                   idle_minutes=int(_number(env, "CAREPATH_IDLE_MINUTES", cls.idle_minutes)),
                   secure_cookies=_flag(env, "CAREPATH_SECURE_COOKIES", None),
                   sign_in_rate_limit=_text(env, "CAREPATH_SIGN_IN_RATE_LIMIT") or cls.sign_in_rate_limit,
                   rate_limit_storage=_text(env, "CAREPATH_RATELIMIT_STORAGE_URI") or cls.rate_limit_storage,
                   trusted_proxies=_proxies(env),
                   node_modules=Path(modules) if modules else None)


# ------------------------------------------------------------------------------------------------ JSON API
@dataclass(frozen=True)
class ApiSettings:
    token_days: int = 90  # a new API token expires after this many days unless told otherwise
    max_token_days: int = 730
    rate_limit: int = 1200  # requests per minute of a new API client unless told otherwise
    webhook_timeout: float = 5.0  # seconds a webhook receiver has to answer
    webhook_attempts: int = 8  # a failing webhook delivery is tried this many times in all
    webhook_private_hosts: bool = False  # may webhooks go to loopback and private addresses (on-premises)
    idempotency_wait: float = 10.0  # a request waits this long for the answer to a concurrent one with its key
    mrn_system: str = "urn:carepath:mrn"  # the FHIR identifier system of the MRN

    @classmethod
    def from_env(cls, env: Mapping | None = None) -> ApiSettings:
        env = _env(env)
        return cls(token_days=int(_number(env, "CAREPATH_API_TOKEN_DAYS", cls.token_days)),
                   max_token_days=int(_number(env, "CAREPATH_API_MAX_TOKEN_DAYS", cls.max_token_days)),
                   rate_limit=int(_number(env, "CAREPATH_API_RATE_LIMIT", cls.rate_limit)),
                   webhook_timeout=_number(env, "CAREPATH_WEBHOOK_TIMEOUT", cls.webhook_timeout),
                   webhook_attempts=int(_number(env, "CAREPATH_WEBHOOK_ATTEMPTS", cls.webhook_attempts)),
                   webhook_private_hosts=bool(_flag(env, "CAREPATH_WEBHOOK_PRIVATE_HOSTS", False)),
                   idempotency_wait=_number(env, "CAREPATH_IDEMPOTENCY_WAIT", cls.idempotency_wait),
                   mrn_system=_text(env, "CAREPATH_MRN_SYSTEM") or cls.mrn_system)


# ------------------------------------------------------------------------------------------------ all of it
def _time_zone(env: Mapping) -> str:
    """CAREPATH_TIME_ZONE, an IANA zone (America/New_York); UTC by default."""
    name = _text(env, "CAREPATH_TIME_ZONE") or "UTC"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsInvalid(f"CAREPATH_TIME_ZONE must be a time zone such as America/New_York, got {name!r}") \
            from None
    return name


@dataclass(frozen=True)
class Settings:
    home: Path  # the embedded default's folder: the SQLite file, the web app's secret key
    database_url: str | None  # None: SQLite under `home`
    user: str | None  # who the CLI acts as, for the audit trail (else the OS user)
    holidays: str = "US"  # the business-day calendar: a country, optionally with a subdivision (US-CA)
    time_zone: str = "UTC"  # times are shown in it unless a person chose their own (an IANA zone)
    web: WebSettings = field(default_factory=WebSettings)
    jobs: JobSettings = field(default_factory=JobSettings)
    notify: NotifySettings = field(default_factory=NotifySettings)
    smtp: SmtpSettings | None = None  # None: no e-mail notifications
    api: ApiSettings = field(default_factory=ApiSettings)

    @classmethod
    def from_env(cls, env: Mapping | None = None) -> Settings:
        env = _env(env)
        return cls(home=Path(_text(env, HOME_ENV) or "instance").expanduser().resolve(),
                   database_url=_text(env, DATABASE_ENV), user=_text(env, USER_ENV),
                   holidays=_text(env, "CAREPATH_HOLIDAYS") or "US",
                   time_zone=_time_zone(env),
                   web=WebSettings.from_env(env), jobs=JobSettings.from_env(env),
                   notify=NotifySettings.from_env(env), smtp=SmtpSettings.from_env(env),
                   api=ApiSettings.from_env(env))

    def database(self, option: str | None = None) -> str:
        """The database to use: `option` (a --database-url), else DATABASE_URL, else SQLite under the instance
        folder, which is created when missing."""
        if option or self.database_url:
            return option or self.database_url
        self.home.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{self.home / 'carepath.db'}"

    def operator(self) -> str:
        """Who the CLI acts as: CAREPATH_USER, else the OS user, else 'operator'."""
        if self.user:
            return self.user
        try:
            return getpass.getuser()
        except Exception:  # noqa: BLE001 - no user name in the environment (containers)
            return "operator"

