"""`crmctl sync`: share the store through its git remote (the work is crmctl/team/sync.py)."""

import click

from crmctl.cli.base import TEXT_ONLY, formats, pass_env
from crmctl.kernel.errors import CrmError
from crmctl.kernel.i18n import t


@formats(*TEXT_ONLY)
@click.command("sync", short_help="Commit, fetch, merge and push the store.")
@click.argument("remote", required=False)
@pass_env
def sync_command(env, remote):
    """Share the store through git: commit pending store changes as the acting user, fetch REMOTE (default: the
    branch's upstream), merge record by record, push (again, when another clone pushed first). Conflicts stop the
    merge: settle each record with `crmctl resolve`, then run `crmctl sync` again."""
    from crmctl.team.sync import sync

    result = sync(env.store, remote, env.actor_if_known())
    report(env, result)


def report(env, result):
    """What a sync did, as lines on stderr; its conflicts listed and an error (exit 1) when any are left."""
    lang = env.lang
    where = f"{result.remote}/{result.branch}"
    if result.conflicts:
        say_conflicts(env, result.conflicts)
        raise CrmError(code="sync.conflicts", count=len(result.conflicts))
    if result.committed:
        env.say(t("sync.committed", lang, count=result.committed))
    if result.finished_merge:
        env.say(t("sync.finished_merge", lang))
    if result.retries:
        env.say(t("sync.retried", lang, count=result.retries, where=where))
    if result.merged:
        env.say(t("sync.merged", lang, count=result.merged, where=where))
    if result.pushed:
        env.say(t("sync.pushed", lang, where=where))
    elif not result.merged:
        env.say(t("sync.up_to_date", lang, where=where))


def say_conflicts(env, found):
    """Each conflict as `ID field: ours → theirs` (the driver's own line), a whole file as a line of its own."""
    from crmctl.team.conflicts import shown

    lang = env.lang
    for item in found:
        if item.field is None:
            env.say(t("sync.conflict_file", lang, path=item.path))
        else:
            env.say(t("merge.conflict", lang, id=item.record_id, field=item.field, ours=shown(item.ours, lang),
                      theirs=shown(item.theirs, lang)))
