"""User accounts: `carepath users add | list | roles | passwd | disable | enable`."""
from __future__ import annotations

import sys

import click

from engine.cli import output
from engine.cli.context import json_option, pass_state
from engine.service import InvalidInput
from engine.service import roles as role_catalogue


def _user_dict(user) -> dict:
    return {"username": user.username, "name": user.display_name, "email": user.email, "roles": list(user.roles),
            "active": user.active, "last_sign_in_at": user.last_sign_in_at, "locked_until": user.locked_until}


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise InvalidInput("--password-stdin: standard input had no password on its first line")
        return password
    if not sys.stdin.isatty():
        raise InvalidInput("no terminal to ask for the password: pipe it in with --password-stdin")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _split_roles(values) -> list[str]:
    return [r.strip() for value in values for r in value.split(",") if r.strip()]


@click.group("users")
def users():
    """Manage who can sign in to the web app and which roles they hold."""


@users.command("add")
@click.argument("username")
@click.option("--role", "role_names", multiple=True, metavar="ROLE",
              help="A role (repeatable, or a comma list): " + ", ".join(role_catalogue.ROLES) + ".")
@click.option("--name", "display_name", default="", help="Full name shown in the app.")
@click.option("--email", default=None, help="E-mail address for reminders and digests.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@json_option
@pass_state
def add(state, username, role_names, display_name, email, password_stdin):
    """Add a user (asks for the password twice unless --password-stdin)."""
    service = state.service()
    service.check_new_user(username, _split_roles(role_names))  # refused before the password is asked for
    password = _read_password(password_stdin)
    result = _user_dict(service.add_user(username, password, _split_roles(role_names), state.actor,
                                         display_name=display_name, email=email))
    if state.json:
        output.emit_json(result)
    else:
        click.echo(f"added user {result['username']} with roles: {', '.join(result['roles']) or '(none)'}")


@users.command("list")
@click.option("--role", default=None, help="Only users holding this role.")
@json_option
@pass_state
def list_(state, role):
    """List users, their roles and their last sign-in."""
    rows = [_user_dict(u) for u in state.service().users(role)]
    if state.json:
        output.emit_json(rows)
        return
    output.echo_table(["user", "name", "roles", "email", "active", "last sign-in"],
                      [[r["username"], r["name"], ",".join(r["roles"]), r["email"], "yes" if r["active"] else "no",
                        r["last_sign_in_at"]] for r in rows], empty="(no users)")


@users.command("roles")
@click.argument("username")
@click.option("--add", "added", multiple=True, metavar="ROLE", help="Give a role (repeatable or comma list).")
@click.option("--remove", "removed", multiple=True, metavar="ROLE", help="Take a role away.")
@click.option("--set", "replaced", default=None, metavar="ROLES",
              help="Replace all roles by this comma list ('' for none).")
@json_option
@pass_state
def roles(state, username, added, removed, replaced):
    """Show a user's roles, or change them."""
    service = state.service()
    if replaced is not None or added or removed:
        user = service.change_roles(username, state.actor, add=_split_roles(added), remove=_split_roles(removed),
                                    replace=_split_roles([replaced]) if replaced is not None else None)
    else:
        user = service.user(username)
    result = {"username": user.username, "roles": list(user.roles)}
    if state.json:
        output.emit_json(result)
    else:
        click.echo(f"{result['username']}: {', '.join(result['roles']) or '(no roles)'}")


@users.command("passwd")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@pass_state
def passwd(state, username, password_stdin):
    """Set a user's password (and unlock the account)."""
    service = state.service()
    service.user(username)  # an unknown user is named before the password is asked for
    service.set_password(username, _read_password(password_stdin), state.actor)
    click.echo(f"password set for {username}")


def _set_active(state, username: str, active: bool) -> None:
    state.service().set_active(username, active, state.actor)
    click.echo(f"{username} {'enabled' if active else 'disabled'}")


@users.command("disable")
@click.argument("username")
@pass_state
def disable(state, username):
    """Stop a user from signing in (their history stays)."""
    _set_active(state, username, False)


@users.command("enable")
@click.argument("username")
@pass_state
def enable(state, username):
    """Let a disabled user sign in again."""
    _set_active(state, username, True)


COMMANDS = [users]
