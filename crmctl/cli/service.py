"""Customer-service commands across record types: inbox, ack, escalate, notify."""

import os

import click

from crmctl.workflows import escalation
from crmctl.workflows import inbox as inbox_core
from crmctl.workflows import notify as notify_core
from crmctl.engine.records import SYSTEM_USER
from crmctl.kernel.errors import CrmError, UsageError
from crmctl.cli.base import EVERY_FORMAT, TEXT_ONLY, formats, pass_env
from crmctl.kernel.i18n import t
from crmctl.present.words import headings


def bookkeeping_actor(env):
    """Who escalate/notify act as: the named user, else the identified one, else `crmctl` itself (cron jobs)."""
    if env.actor_option or os.environ.get("CRMCTL_USER"):
        return env.actor
    return env.actor_if_known() or SYSTEM_USER


@formats(*EVERY_FORMAT)
@click.command("inbox", short_help="Unacknowledged assignments of a user.")
@click.option("--user", "user", metavar="USER", help="Whose inbox (default: the acting user).")
@pass_env
def inbox_command(env, user):
    """Unacknowledged assignments of a user on records of every type: record, what, from whom, since when."""
    handle = user or env.actor
    if handle not in env.store.config.users:
        raise CrmError(code="cli.unknown_user", user=handle)
    found = inbox_core.items(env.store, handle, env.lang)

    def table():
        rows = [{"id": i["id"], "title": i["title"], "by": i["by"], "at": i["at"],
                 "reason": i["reason"] if env.fmt == "csv" else i["what"] + (f": {i['note']}" if i.get("note") else "")}
                for i in found]
        headers = headings(env.lang, "column.id", "column.record", "column.what", "column.from", "column.since")
        return rows, ["id", "title", "reason", "by", "at"], headers

    env.listing([i["id"] for i in found], found, table)
    if env.quiet or env.fmt in ("json", "yaml"):
        return
    if not found and env.fmt == "table":
        env.say(t("inbox.empty", env.lang))


@formats(*TEXT_ONLY)
@click.command("ack", short_help="Acknowledge my assignment on a record.")
@click.argument("record_id")
@pass_env
def ack_command(env, record_id):
    """Acknowledge my assignment on a record (any unique prefix of its id)."""
    inbox_core.ack(env.store, env.store.resolve(record_id), env.actor, env.lang)


@formats(*EVERY_FORMAT)
@click.command("escalate", short_help="Escalate overdue records to supervisors, once.")
@click.option("--dry-run", is_flag=True, help="Only list what would be escalated; write nothing.")
@pass_env
def escalate_command(env, dry_run):
    """Escalate each overdue record once: history event, and an assignment for the owner's supervisor."""
    from crmctl.team.once import escalate, shared

    if not dry_run and shared(env.store):  # once across clones: sync, escalate, push before anything else
        found = escalate(env.store, bookkeeping_actor(env), env.lang)
    else:
        found = escalation.escalate(env.store, bookkeeping_actor(env), env.lang, dry_run=dry_run)
    done = [e for e in found if e.supervisor]
    for item in found:
        if not item.supervisor:
            env.say(f"{t('warning', env.lang)}: {t('escalate.no_supervisor', env.lang, id=item.id, owner=item.owner)}")
    rows = [{"id": e.id, "due": e.due, "owner": e.owner, "supervisor": e.supervisor} for e in done]
    headers = headings(env.lang, "column.id", "derived.due", "column.owner", "column.supervisor")
    env.listing([e.id for e in done], rows, lambda: (rows, ["id", "due", "owner", "supervisor"], headers),
                skip_empty=True)
    count = len(done)
    if dry_run:
        env.say(t("escalate.dry_run", env.lang, count=count))
    else:
        env.say(t("escalate.done", env.lang, count=count))


@formats(*EVERY_FORMAT)
@click.command("notify", short_help="Email each new assignment once.")
@click.option("--smtp", "server", metavar="HOST:PORT", help="SMTP server (else notify.smtp in crmctl.yaml).")
@click.option("--from", "sender", metavar="ADDR", help="Sender address (else notify.from in crmctl.yaml).")
@click.option("--dry-run", is_flag=True, help="Show the emails that would be sent; send and write nothing.")
@pass_env
def notify_command(env, server, sender, dry_run):
    """Email every assignment not yet notified (any record type), once; the send is recorded."""
    settings = env.store.config.settings.get("notify") or {}
    server = server or settings.get("smtp")
    sender = sender or settings.get("from")
    if not sender:
        raise UsageError(code="cli.from_needed")
    if not server and not dry_run:
        raise UsageError(code="cli.smtp_needed")
    address = notify_core.parse_server(server) if server else None
    from crmctl.team.once import notify, shared

    if not dry_run and shared(env.store):  # once across clones: sync, claim and push, then send
        batch = notify(env.store, bookkeeping_actor(env), address, sender, env.lang)
    else:
        batch = notify_core.notify(env.store, bookkeeping_actor(env), address, sender, dry_run=dry_run,
                                   lang=env.lang)
    sent = [o for o in batch if not o.error]
    failed = [o for o in batch if o.error]
    rows = [{"id": o.record_id, "user": o.user, "email": o.address, "subject": str(o.message["Subject"])}
            for o in sent]
    headers = headings(env.lang, "column.id", "column.user", "column.email", "column.subject")
    env.listing([r["id"] for r in rows], rows, lambda: (rows, ["id", "user", "email", "subject"], headers),
                skip_empty=True)
    if dry_run:
        env.say(t("notify.dry_run", env.lang, count=len(sent)))
        return
    env.say(t("notify.sent", env.lang, count=len(sent)))
    if failed:
        lines = [f"{o.record_id} → {o.address or o.user}: {o.error}" for o in failed]
        raise CrmError(t("notify.failed", env.lang, count=len(failed)) + "".join(f"\n  {line}" for line in lines))

