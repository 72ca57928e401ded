"""API clients: `carepath clients add | list | revoke | token` (administrators; the CLI acts as the operator)."""
from __future__ import annotations

import click

from engine.cli import output
from engine.cli.context import json_option, pass_state
from engine.service import API_SCOPES


def _split(values) -> list[str]:
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def _client_dict(client) -> dict:
    return {"id": client.id, "name": client.name, "description": client.description, "scopes": list(client.scopes),
            "acts_for": client.username, "rate_limit_per_minute": client.rate_limit, "active": client.active,
            "created_at": output.iso(client.created_at), "created_by": client.created_by,
            "revoked_at": output.iso(client.revoked_at),
            "tokens": [{"prefix": t.prefix, "created_at": output.iso(t.created_at),
                        "expires_at": output.iso(t.expires_at), "revoked_at": output.iso(t.revoked_at),
                        "last_used_at": output.iso(t.last_used_at), "usable": t.usable} for t in client.tokens]}


def _echo_token(state, new) -> None:
    if state.json:
        output.emit_json({**_client_dict(new.client), "token": new.token, "token_expires_at": output.iso(new.expires_at)})
        return
    click.echo(f"client {new.client.name} ({', '.join(new.client.scopes)})"
               + (f", acting for {new.client.username}" if new.client.username else ", a service account"))
    click.echo(f"token (shown this once; carepath keeps only its hash), expires {output.short(new.expires_at)}:")
    click.echo(f"  {new.token}")


@click.group("clients")
def clients():
    """Manage the clients of the JSON API and FHIR: other systems, or tools acting for one person."""


@clients.command("add")
@click.argument("name")
@click.option("--scope", "scopes", multiple=True, metavar="SCOPE", required=True,
              help="A scope (repeatable, or a comma list): " + ", ".join(API_SCOPES) + ".")
@click.option("--for", "username", default=None, metavar="USER",
              help="Act for this person: their roles and the same rules as their web sessions (else a service "
                   "account, which reaches every patient within its scopes).")
@click.option("--description", default=None, help="What the client is (shown in lists).")
@click.option("--rate-limit", type=int, default=None, metavar="N",
              help="Requests per minute [default: CAREPATH_API_RATE_LIMIT, 1200].")
@click.option("--days", type=int, default=None, metavar="N",
              help="The token's lifetime in days [default: CAREPATH_API_TOKEN_DAYS, 90].")
@json_option
@pass_state
def add(state, name, scopes, username, description, rate_limit, days):
    """Add a client and print its first token (shown once)."""
    new = state.service().add_api_client(name, _split(scopes), state.actor, username=username,
                                         description=description, rate_limit=rate_limit, days=days)
    _echo_token(state, new)


@clients.command("list")
@click.option("--active", is_flag=True, help="Leave out revoked clients.")
@json_option
@pass_state
def list_(state, active):
    """The clients, their scopes and their tokens (by prefix, with expiry and last use)."""
    rows = [_client_dict(c) for c in state.service().api_clients(state.actor, include_revoked=not active)]
    if state.json:
        output.emit_json(rows)
        return
    output.echo_table(
        ["client", "scopes", "acts for", "per min", "tokens", "last used", "status"],
        [[r["name"], ",".join(r["scopes"]), r["acts_for"] or "(service)", r["rate_limit_per_minute"],
          ",".join(t["prefix"] for t in r["tokens"] if t["usable"]) or "-",
          max((t["last_used_at"] for t in r["tokens"] if t["last_used_at"]), default=None),
          "active" if r["active"] else "revoked"] for r in rows], empty="(no API clients)")


@clients.command("revoke")
@click.argument("name")
@click.option("--token", "prefix", default=None, metavar="PREFIX",
              help="Revoke only the token starting with PREFIX (as `clients list` shows it).")
@json_option
@pass_state
def revoke(state, name, prefix):
    """Revoke a client (all its tokens stop working at once), or one of its tokens."""
    service = state.service()
    client = (service.revoke_api_token(name, prefix, state.actor) if prefix
              else service.revoke_api_client(name, state.actor))
    if state.json:
        output.emit_json(_client_dict(client))
    else:
        click.echo(f"revoked token {prefix} of {client.name}" if prefix else f"revoked {client.name} and its tokens")


@clients.command("token")
@click.argument("name")
@click.option("--days", type=int, default=None, metavar="N", help="The token's lifetime in days.")
@click.option("--revoke-others", is_flag=True, help="The client's other tokens stop working now (rotation).")
@json_option
@pass_state
def token(state, name, days, revoke_others):
    """Issue another token for a client (shown once)."""
    _echo_token(state, state.service().issue_api_token(name, state.actor, days=days, revoke_others=revoke_others))


COMMANDS = [clients]
