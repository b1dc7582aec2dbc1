"""Customer-service commands across record types: inbox, ack, escalate, notify."""

import click

from .. import inbox as inbox_core
from ..output import render_data, render_rows
from .base import pass_env


@click.command("inbox")
@click.option("--user", "user", metavar="USER", help="Whose inbox (default: the acting user).")
@pass_env
def inbox_command(env, user):
    """Unacknowledged assignments of a user on records of every type: record, what, from whom, since when."""
    handle = user or env.actor
    if handle not in env.store.config.users:
        from ..errors import CrmError

        raise CrmError(f"unknown user {handle!r} (see `crmctl user list`)")
    found = inbox_core.items(env.store, handle)
    if env.quiet:
        env.out("".join(f"{i['id']}\n" for i in found))
        return
    if env.fmt in ("json", "yaml"):
        env.out(render_data(found, env.fmt))
        return
    rows = [{"id": i["id"], "title": i["title"], "reason": inbox_core.reason_label(i["reason"], env.lang)
             + (f": {i['note']}" if i.get("note") else ""), "by": i["by"], "at": i["at"]} for i in found]
    if env.fmt == "csv":
        rows = [{**r, "reason": i["reason"]} for r, i in zip(rows, found)]
    headers = {"fi": ["Tunniste", "Tietue", "Mitä", "Keneltä", "Alkaen"],
               "en": ["ID", "Record", "What", "From", "Since"]}[env.lang]
    env.out(render_rows(rows, ["id", "title", "reason", "by", "at"], headers, env.fmt))
    if not found and env.fmt == "table":
        env.say({"fi": "Ei kuittaamattomia tehtäviä.", "en": "Nothing to acknowledge."}[env.lang])


@click.command("ack")
@click.argument("record_id")
@pass_env
def ack_command(env, record_id):
    """Acknowledge my assignment on a record (any unique prefix of its id)."""
    inbox_core.ack(env.store, env.store.resolve(record_id), env.actor, env.lang)


def install(cli):
    cli.add_command(inbox_command)
    cli.add_command(ack_command)
