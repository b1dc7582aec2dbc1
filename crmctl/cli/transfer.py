"""`crmctl import` and `crmctl export`."""

import sys

import click

from crmctl.cli.generic import select  # first: it loads the engine before present.display (issue 10's import cycle)
from crmctl.present import display
from crmctl.kernel import yamlio
from crmctl.kernel.errors import CrmError, UsageError, YamlError
from crmctl.kernel.i18n import t
from crmctl.io.transfer import export_records, import_rows, read_rows, write_rejects
from crmctl.cli.base import TEXT_ONLY, formats, pass_env


def _type(env, name):
    rtype = env.store.config.type_by_command(name)
    if rtype is None:
        known = ", ".join(rt.command for rt in env.store.config.types.values())
        raise UsageError(code="cli.unknown_type", name=name, known=known)
    return rtype


@formats("jsonl", "json", "csv")
@click.command("export")
@click.argument("type_name", metavar="TYPE")
@click.argument("filters", nargs=-1)
@pass_env
def export_command(env, type_name, filters):
    """Write records of TYPE (matching FILTERs) as --format csv, jsonl (default) or json."""
    rtype = _type(env, type_name)
    found, _, _ = select(env, rtype, None, filters)
    shown = found if env.reveal else [display.mask(rtype, r) for r in found]
    env.out(export_records(shown, rtype, env.fmt))


@formats(*TEXT_ONLY)
@click.command("import")
@click.argument("type_name", metavar="TYPE")
@click.argument("source", metavar="FILE")
@click.option("--dry-run", is_flag=True, help="Validate every row and report; write nothing.")
@click.option("--rejects", "rejects_path", metavar="FILE", help="Write rows that fail, with the reason, here.")
@pass_env
def import_command(env, type_name, source, dry_run, rejects_path):
    """Import records of TYPE from FILE (.csv or .jsonl; - reads stdin).

    Every row is validated by the same rules as `new`; valid rows are
    written, failing rows go to --rejects (or are listed on stderr) and the
    command exits 1. Prints the new ids.
    """
    rtype = _type(env, type_name)
    if source == "-":
        raw, name = sys.stdin.buffer.read(), "<stdin>"
    else:
        try:
            with open(source, "rb") as handle:
                raw, name = handle.read(), source
        except OSError as err:
            raise CrmError(code="cli.cannot_read", path=source, reason=err.strerror) from None
    try:
        text = yamlio.decode(raw, name)
    except YamlError as err:
        raise CrmError(code="located", where=name, line=err.line or 1, problem=err.both()) from None
    kind = "jsonl" if source.endswith(".jsonl") or (source == "-" and text.lstrip().startswith("{")) else "csv"
    created, rejects = import_rows(env.store, rtype, read_rows(text, kind), env.actor, env.lang, dry_run)
    if not dry_run:
        env.out("".join(f"{i}\n" for i in created))
    if rejects_path and rejects:
        write_rejects(rejects_path, rejects, kind)
    elif rejects:
        for line, _, reason in rejects:
            env.say(f"{name}:{line}: {t('cli.rejected', env.lang)}: {reason}")
    summary = "import.summary_dry_run" if dry_run else "import.summary"
    env.say(t(summary, env.lang, created=len(created), rejected=len(rejects)))
    if rejects:
        raise click.exceptions.Exit(1)
