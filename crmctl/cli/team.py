"""Team use through git on the command line: `git setup`, `git merge-file`, `diff`, `log`."""

import click

from crmctl.kernel.i18n import t
from crmctl.present import display
from crmctl.present.formats import render_data, render_rows
from crmctl.present.words import headings
from crmctl.cli.base import TEXT_ONLY, LazyGroup, formats, pass_env
from crmctl.cli.generic import _details

# `git merge-file` lives beside `resolve` in crmctl/cli/merging.py.
GIT_COMMANDS = {"setup": "crmctl.cli.team:setup_command",
                "merge-file": "crmctl.cli.merging:merge_file_command"}


@click.group("git", cls=LazyGroup, lazy_commands=GIT_COMMANDS)
def git_group():
    """Set up this clone of a shared store (merge driver, pre-commit hook)."""


@formats(*TEXT_ONLY)
@click.command("setup")
@pass_env
def setup_command(env):
    """Register the record merge driver and install the pre-commit hook in this clone (run once per clone;
    running it again changes nothing). Both call this crmctl by its absolute path."""
    from crmctl.team.setup import setup_clone, store_files

    store = env.store
    changed = store_files(store.root, [rtype.dir for rtype in store.config.types.values()])
    changed += setup_clone(store.root)
    for what in changed:
        env.say(t("git.setup_changed", env.lang, what=what))
    if not changed:
        env.say(t("git.setup_unchanged", env.lang))


DIFF_COLUMNS = ("id", "change", "field", "before", "after")
LOG_COLUMNS = ("at", "by", "id", "event", "details")


@formats("table", "json", "yaml", "md", "csv")
@click.command("diff")
@click.argument("rev", required=False, default="HEAD")
@click.argument("rev2", required=False)
@pass_env
def diff_command(env, rev, rev2):
    """Records created, changed and deleted between REV (default HEAD) and REV2 (default: the working tree),
    field by field; confidential fields masked unless --reveal. `--format md` is for a pull request."""
    from crmctl.team.diff import record_diff

    store = env.store
    changes, unreadable = record_diff(store, rev, rev2, reveal=env.reveal)
    for relative in unreadable:
        env.say(f"{t('warning', env.lang)}: " + t("git.diff_unreadable", env.lang, path=relative))
    if env.fmt in ("json", "yaml"):
        env.out(render_data(changes, env.fmt))
        return
    rows = []
    for change in changes:
        rtype = store.config.types[change["type"]]
        for key, (old, new) in change["fields"].items():
            if key == "history":
                for entry in (new or old or []):
                    rows.append({"id": change["id"], "change": change["change"], "field": key,
                                 "before": _event_line(rtype, entry, env.lang) if new is None else "",
                                 "after": _event_line(rtype, entry, env.lang) if new is not None else ""})
                continue
            field = rtype.field_at(key)
            rows.append({"id": change["id"], "change": change["change"], "field": key,
                         "before": display.display(field, old, env.lang), "after": display.display(field, new, env.lang)})
    if rows:
        headers = headings(env.lang, "column.id", "column.change", "column.field", "column.before", "column.after")
        env.out(render_rows(rows, list(DIFF_COLUMNS), headers, env.fmt))


@formats("table", "json", "yaml", "md", "csv")
@click.command("log")
@click.argument("record_id", required=False)
@click.option("--since", metavar="DATE|REV", help="Only events from this day (YYYY-MM-DD) on, or added after "
                                                   "this git revision.")
@pass_env
def log_command(env, record_id, since):
    """Record events in CRM terms (who did what to which record), newest first, from the records' history."""
    from crmctl.team.log import record_log

    store = env.store
    full_id = store.resolve(record_id) if record_id else None
    events = record_log(store, full_id, since, reveal=env.reveal)
    if env.fmt in ("json", "yaml"):
        env.out(render_data(events, env.fmt))
        return
    rows = [{"at": e.get("at"), "by": e.get("by"), "id": e["id"], "event": e.get("event"),
             "details": _details(store.config.types[e["type"]], _own(e), env.lang)} for e in events]
    if rows:
        headers = headings(env.lang, "column.at", "column.by", "column.id", "column.event", "column.details")
        env.out(render_rows(rows, list(LOG_COLUMNS), headers, env.fmt))


def _own(entry):
    """The event without the id and type the log adds."""
    return {key: value for key, value in entry.items() if key not in ("id", "type")}


def _event_line(rtype, entry, lang):
    details = _details(rtype, entry, lang)
    at = entry.get("at")
    when = at.isoformat() if hasattr(at, "isoformat") else str(at or "")
    return f"{when} {entry.get('by')}: {entry.get('event')}" + (f" ({details})" if details else "")
