"""What every command shares: the invocation state (database, actor, output mode) and input options."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import click

from engine.config import Settings
from engine.service import MAX_ID, Actor, CarePathways, InvalidInput, NotFound


@dataclass
class State:
    database_url_option: str | None = None
    actor_name: str | None = None
    roles: tuple[str, ...] = ()
    json: bool = False
    debug: bool = False
    _url: str | None = field(default=None, repr=False)
    _service: CarePathways | None = field(default=None, repr=False)
    _settings: Settings | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = Settings.from_env()
        return self._settings

    @property
    def url(self) -> str:
        """--database-url, else DATABASE_URL, else SQLite under the instance folder."""
        if self._url is None:
            self._url = self.settings.database(self.database_url_option)
        return self._url

    @property
    def actor(self) -> Actor:
        """A person with the --role roles; without any, the system operator (may work any task)."""
        name = (self.actor_name or self.settings.operator()).strip() or "operator"
        roles = [r.strip() for r in self.roles if r and r.strip()]
        return Actor.person(name, *roles) if roles else Actor.system_actor(name)

    def service(self) -> CarePathways:
        """The engine's service, made on first use and closed when the command ends."""
        if self._service is None:
            self._service = CarePathways.from_settings(self.settings, self.url)
            click.get_current_context().call_on_close(self.close)
        return self._service

    def close(self) -> None:
        if self._service is not None:
            self._service.close()
            self._service = None


pass_state = click.make_pass_decorator(State, ensure=True)


def _set_json(ctx: click.Context, _param, value: bool) -> None:
    if value:
        ctx.ensure_object(State).json = True


def json_option(f):
    """`--json` on a command (the same as the global `carepath --json ...`)."""
    return click.option("--json", "json_output", is_flag=True, expose_value=False, callback=_set_json,
                        is_eager=True, help="Print JSON for scripts instead of tables.")(f)


def with_json(command: click.Command) -> click.Command:
    """`command` taking `--json` after its name (`carepath X --json`, as `carepath --json X`), with every
    subcommand of a group: the `carepath` group gives it to each command it holds or loads."""
    if not any("--json" in param.opts for param in command.params):
        json_option(command)  # click's decorator appends the option to a command's params
    for sub in getattr(command, "commands", {}).values():
        with_json(sub)
    return command




class Id(click.ParamType):
    """The id of a task, instance...: a whole number. One that no row can have (0, or past 2**31 - 1) is
    not found (exit 3), as an id that is not there is, never a database error."""

    name = "id"

    def __init__(self, noun: str):
        self.noun = noun

    def convert(self, value, param, ctx) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            try:
                number = int(str(value).strip())
            except ValueError:
                self.fail(f"{str(value)[:40]!r} is not a {self.noun} id (a whole number)", param, ctx)
        if not 1 <= number <= MAX_ID:
            raise NotFound(f"{self.noun} {number} does not exist")
        return number


def data_options(f):
    """`--data FILE` and `--set key=value`: a JSON object, the --set pairs win over the file."""
    f = click.option("--set", "sets", multiple=True, metavar="KEY=VALUE",
                     help="A field; the value is read as JSON when it parses (42, true, null, [1,2]), "
                          "else as text. Repeatable.")(f)
    return click.option("--data", "data_file", type=click.Path(dir_okay=False, allow_dash=True),
                        help="A JSON file with an object of fields ('-' reads standard input).")(f)


def read_data(data_file: str | None, sets: tuple[str, ...]) -> dict | None:
    """The fields from --data and --set, or None when neither was given."""
    if data_file is None and not sets:
        return None
    data: dict = {}
    if data_file is not None:
        data.update(read_json_object(data_file))
    data.update(parse_sets(sets))
    return data


def read_json_object(path: str) -> dict:
    try:
        text = click.get_text_stream("stdin").read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read ({exc.strerror or exc})") from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    if not isinstance(value, dict):
        raise InvalidInput(f"{path}: expected a JSON object {{...}}, found {type(value).__name__}")
    return value


def _no_constants(name: str):
    raise ValueError(name)


def parse_value(text: str):
    """JSON when it parses (numbers, true/false, null, lists, objects, "quoted"), else the text itself."""
    try:
        return json.loads(text, parse_constant=_no_constants)
    except ValueError:
        return text


def split_pair(pair: str, option: str) -> tuple[str, str]:
    key, sep, value = pair.partition("=")
    key = key.strip()
    if not sep or not key:
        raise InvalidInput(f"{option} expects KEY=VALUE, got '{pair}'")
    return key, value


def parse_sets(pairs: tuple[str, ...], option: str = "--set") -> dict:
    return {key: parse_value(value) for key, value in (split_pair(p, option) for p in pairs)}


def parse_keys(pairs: tuple[str, ...]) -> dict:
    """Correlation keys: always text (they are compared as text)."""
    return dict(split_pair(p, "--key") for p in pairs)


def open_tasks(service, instance_id: int, viewer) -> list:
    """An instance's open tasks, oldest first, read by `viewer` (audited)."""
    return service.tasks(instance_id=instance_id, sort="created", limit=1000, viewer=viewer)


def parse_moment(text: str | None, option: str):
    """An ISO 8601 date or date-time; without a zone it is UTC."""
    if text is None:
        return None
    from datetime import datetime, timezone

    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"{option} expects an ISO date-time like 2026-03-01T09:00, got '{text}'") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)
