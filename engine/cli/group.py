"""The `carepath` command group: global options, and every failure turned into a message and an exit code that
means something (0 ok, 1 unexpected failure, 2 invalid input or bundle refused, 3 not found, 4 conflict or
invalid state, a database not initialised included, 5 forbidden), never a traceback."""
from __future__ import annotations

import logging
import sys
import traceback
from importlib.metadata import entry_points

import click
from sqlalchemy.exc import DBAPIError

from engine.cli.context import State, with_json
from engine.cli.output import display_url, emit_json
from engine.config import DATABASE_ENV
from engine.service import BundleRefused, CarepathError, Forbidden

EXIT_UNEXPECTED = 1


class NotInitialised(CarepathError):
    exit_code = 4


class _QuietFormatter(logging.Formatter):
    """Engine log lines without tracebacks, unless --debug."""

    def __init__(self, debug: bool):
        super().__init__("%(levelname)s %(name)s: %(message)s")
        self.debug = debug

    def formatException(self, ei) -> str:  # noqa: N802 - logging's name
        return super().formatException(ei) if self.debug else ""


def _setup_logging(ctx: click.Context, debug: bool) -> None:
    """Engine warnings to stderr (tracebacks only with --debug), for this invocation only."""
    logger = logging.getLogger("engine")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_QuietFormatter(debug))
    saved = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if debug else logging.WARNING)
    logger.propagate = False

    def restore() -> None:
        logger.removeHandler(handler)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]

    ctx.call_on_close(restore)


def _missing_table(exc: Exception) -> bool:
    orig = getattr(exc, "orig", None)
    return ("no such table" in str(orig or exc) or getattr(orig, "sqlstate", None) == "42P01"
            or type(orig).__name__ == "UndefinedTable")


def _schema_problem(exc: Exception) -> bool:
    """A missing table (never initialised) or column (initialised by an older version)."""
    orig = getattr(exc, "orig", None)
    return _missing_table(exc) or "no such column" in str(orig or exc) or \
        getattr(orig, "sqlstate", None) == "42703" or type(orig).__name__ == "UndefinedColumn"


def error_lines(exc: CarepathError) -> list[str]:
    errors = getattr(exc, "errors", None)
    if isinstance(errors, dict) and errors:  # FormInvalid: one line per field
        head = exc.message.partition(" problem(s):")[0]
        return [f"{head} problem(s):" if head != exc.message else "the data does not fit the form:",
                *(f"  {name}: {msg}" for name, msg in errors.items())]
    return exc.message.splitlines() or [type(exc).__name__]


def problems_of(exc: CarepathError) -> list[dict]:
    if isinstance(exc, BundleRefused):
        return [p.to_dict() for p in exc.problems]
    errors = getattr(exc, "errors", None)
    if isinstance(errors, dict):
        return [{"field": name, "message": msg} for name, msg in errors.items()]
    return []


def report(state: State, exc: CarepathError) -> None:
    lines = error_lines(exc)
    click.echo(f"error: {lines[0]}", err=True)
    for line in lines[1:]:
        click.echo(line, err=True)
    if state.json:
        emit_json({"error": exc.message, "type": type(exc).__name__, "problems": problems_of(exc)})


class CarepathGroup(click.Group):
    """Turns every failure into a message and an exit code that means something, never a traceback. Commands
    other installed packages offer (entry points `carepath.commands`, "name = module:command") are listed with
    the group's own and loaded only when used. Every command, a group's subcommands included, takes `--json`
    after its name as well as before it."""

    def _plugins(self) -> dict:
        return {p.name: p for p in entry_points(group="carepath.commands") if p.name not in self.commands}

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        super().add_command(with_json(cmd), name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*self.commands, *self._plugins()])

    def get_command(self, ctx: click.Context, name: str):
        command = self.commands.get(name)
        if command is None and name in (plugins := self._plugins()):
            command = plugins[name].load()
        return with_json(command) if command is not None else None

    def invoke(self, ctx: click.Context):
        state = ctx.ensure_object(State)
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except CarepathError as exc:
            if state.debug:
                traceback.print_exception(exc, file=sys.stderr)
            cause = exc.__cause__
            if isinstance(cause, DBAPIError) and _schema_problem(cause):
                # the engine may wrap a schema error as a Conflict ("lock" matches the lock_version column)
                return self._schema(ctx, state, cause)
            if isinstance(exc, Forbidden):  # every refusal is an audit event, whichever door it came through
                state.service().record_refusal(state.actor, f"carepath {ctx.invoked_subcommand}", exc.message)
            report(state, exc)
            ctx.exit(exc.exit_code)
        except DBAPIError as exc:
            if _schema_problem(exc):
                return self._schema(ctx, state, exc)
            reason = (str(exc.orig or exc).strip().splitlines() or [type(exc).__name__])[0]
            url = display_url(state.url)
            return self._unexpected(ctx, state, exc, f"cannot use the database {url}: {reason}")
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            self._unexpected(ctx, state, exc)

    @staticmethod
    def _schema(ctx, state: State, exc) -> None:
        url = display_url(state.url)
        if _missing_table(exc):
            problem = NotInitialised(f"the database {url} is not initialised; run `carepath init-db` first")
        else:
            problem = NotInitialised(f"the database {url} has an older schema; run `carepath init-db` to upgrade it")
        report(state, problem)
        ctx.exit(problem.exit_code)

    @staticmethod
    def _unexpected(ctx, state: State, exc: Exception, message: str | None = None):
        first = (str(exc).strip().splitlines() or [""])[0]
        message = message or "unexpected failure: " + (f"{type(exc).__name__}: {first}" if first
                                                       else type(exc).__name__)
        if state.debug:
            traceback.print_exception(exc, file=sys.stderr)
        click.echo(f"error: {message}" + ("" if state.debug else " (--debug shows more)"),
                   err=True)
        if state.json:
            emit_json({"error": message, "type": type(exc).__name__, "problems": []})
        ctx.exit(EXIT_UNEXPECTED)


@click.group(cls=CarepathGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--database-url", envvar=DATABASE_ENV, metavar="URL",
              help="SQLAlchemy database URL [env DATABASE_URL; default: SQLite at "
                   "$CAREPATH_HOME/carepath.db, or ./instance/carepath.db].")
@click.option("--as", "actor_name", metavar="NAME",
              help="Who acts [default: $CAREPATH_USER, else your OS user name].")
@click.option("--role", "roles", multiple=True, metavar="ROLE",
              help="A role the actor holds (repeatable). Without any --role the CLI acts as the system "
                   "operator, who may work any task.")
@click.option("--json", "json_output", is_flag=True, help="Print JSON for scripts instead of tables.")
@click.option("--debug", is_flag=True, help="Show tracebacks and engine debug logs.")
@click.version_option(package_name="carepath", prog_name="carepath")
@click.pass_context
def cli(ctx, database_url, actor_name, roles, json_output, debug):
    """Run care pathways (BPMN) from the command line.

    \b
    Exit codes: 0 ok, 1 unexpected failure, 2 invalid input or bundle refused,
    3 not found, 4 conflict or invalid state (or database not initialised), 5 forbidden.
    """
    state = ctx.ensure_object(State)
    state.database_url_option = database_url
    state.actor_name = actor_name
    state.roles = tuple(roles)
    state.json = state.json or json_output
    state.debug = debug
    _setup_logging(ctx, debug)
