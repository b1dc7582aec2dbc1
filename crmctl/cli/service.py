"""Customer-service commands across record types: inbox, ack, escalate, notify."""

import click

from .. import escalation
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


@click.command("escalate")
@click.option("--dry-run", is_flag=True, help="Only list what would be escalated; write nothing.")
@pass_env
def escalate_command(env, dry_run):
    """Escalate each overdue record once: history event, and an assignment for the owner's supervisor."""
    found = escalation.escalate(env.store, env.actor, env.lang, dry_run=dry_run)
    done = [e for e in found if e.supervisor]
    for item in found:
        if not item.supervisor:
            env.say({"fi": f"Varoitus: {item.id}: käyttäjällä {item.owner} ei ole esimiestä; ei eskaloitu",
                     "en": f"Warning: {item.id}: {item.owner} has no supervisor; not escalated"}[env.lang])
    rows = [{"id": e.id, "due": e.due, "owner": e.owner, "supervisor": e.supervisor} for e in done]
    if env.quiet:
        env.out("".join(f"{e.id}\n" for e in done))
    elif env.fmt in ("json", "yaml"):
        env.out(render_data(rows, env.fmt))
    elif rows:
        headers = {"fi": ["Tunniste", "Määräaika", "Vastuuhenkilö", "Esimies"],
                   "en": ["ID", "Due", "Owner", "Supervisor"]}[env.lang]
        env.out(render_rows(rows, ["id", "due", "owner", "supervisor"], headers, env.fmt))
    count = len(done)
    if dry_run:
        env.say({"fi": f"Eskaloitaisiin {count} (kuivaharjoitus, mitään ei kirjoitettu).",
                 "en": f"Would escalate {count} (dry run, nothing written)."}[env.lang])
    else:
        env.say({"fi": f"Eskaloitu {count}.", "en": f"Escalated {count}."}[env.lang])


def install(cli):
    cli.add_command(escalate_command)
    cli.add_command(inbox_command)
    cli.add_command(ack_command)
