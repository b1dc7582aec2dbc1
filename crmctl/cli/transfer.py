"""`crmctl import` and `crmctl export`."""

import errno
import os
import shutil
import sys
import tempfile
import time
from contextlib import contextmanager

import click

from crmctl.cli.generic import select  # first: it loads the engine before present.display (issue 10's import cycle)
from crmctl.present import display
from crmctl.kernel.errors import CrmError, UsageError
from crmctl.kernel.i18n import t
from crmctl.io.export import export_records
from crmctl.io.importer import Importer
from crmctl.io.outcomes import CREATED, REJECTED, Tally
from crmctl.io.rejects import Rejects
from crmctl.io.rows import kind_of, read
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
@click.option("--dry-run", is_flag=True, help="Validate every row and report what would happen; write nothing.")
@click.option("--rejects", "rejects_path", metavar="FILE", help="Write rows that fail, with the reason, here "
              "(in the input's format; fix them and import the file as it is).")
@click.option("--update", is_flag=True, help="Apply rows for existing ids to their records, as `set` does.")
@click.option("--key", "key", metavar="FIELD", help="Match rows to records by this unique field (e.g. "
              "customer_number): matched rows update their record, others create one.")
@pass_env
def import_command(env, type_name, source, dry_run, rejects_path, update, key):
    """Import records of TYPE from FILE (.csv, .jsonl or .json; - reads stdin).

    Every row is validated by the same rules as `new` and ends created,
    updated, unchanged or rejected; the summary on stderr counts each. A row
    with an id keeps it (and its history and assignments, from a JSONL or
    JSON export). Rejected rows go to --rejects (or are listed on stderr) and
    the command exits 1; the other rows are still written. Prints the new ids.
    """
    rtype = _type(env, type_name)
    if rejects_path:
        _writable(rejects_path)
    importer = Importer(env.store, rtype, env.actor, env.lang, update=update, key=key, dry_run=dry_run)
    with _opened(source) as (handle, name, size):
        kind = kind_of(source, handle.read(64))
        handle.seek(0)
        source_rows = read(handle, kind, name)
        importer.csv_rows = kind == "csv"
        rejects = Rejects(rejects_path, kind, source_rows) if rejects_path else None
        tally = Tally()
        progress = Progress(handle, size, env.lang) if sys.stderr.isatty() else None

        def report(outcome):
            tally.add(outcome)
            if progress is not None:
                progress.row()
            if outcome.kind == CREATED and not dry_run:
                click.echo(outcome.record_id)
            elif outcome.kind == REJECTED:
                if rejects is not None:
                    rejects.add(outcome)
                else:
                    env.say(f"{name}:{outcome.line}: {t('cli.rejected', env.lang)}: {outcome.reason}")

        try:
            importer.run(source_rows.rows, report)
        finally:
            if progress is not None:
                progress.done()
            if rejects is not None:
                rejects.close()
    missing = importer.missing()
    if missing and not dry_run:
        env.say(t("import.missing_references", env.lang, count=len(missing), ids=", ".join(missing[:5])))
    env.say(tally.summary(env.lang, dry_run))
    if tally.rejected:
        raise click.exceptions.Exit(1)


def _writable(path):
    """A rejects file that cannot be written stops the import before any row is, not halfway through it."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise CrmError(code="cli.cannot_write", path=path, reason=os.strerror(errno.ENOENT))
    if not os.access(folder, os.W_OK) or (os.path.exists(path) and not os.access(path, os.W_OK)):
        raise CrmError(code="cli.cannot_write", path=path, reason=os.strerror(errno.EACCES))


@contextmanager
def _opened(source):
    """(binary handle, name, size) of FILE, or of stdin copied to a temporary file (read twice, never whole)."""
    if source == "-":
        with tempfile.TemporaryFile() as spool:
            shutil.copyfileobj(sys.stdin.buffer, spool, 1024 * 1024)
            size = spool.tell()
            spool.seek(0)
            yield spool, "<stdin>", size
        return
    try:
        handle = open(source, "rb")
        size = os.fstat(handle.fileno()).st_size
    except OSError as err:
        raise CrmError(code="cli.cannot_read", path=source, reason=err.strerror) from None
    with handle:
        yield handle, source, size


class Progress:
    """A progress line on stderr (a terminal) once an import has taken more than a moment."""

    MOMENT = 1.0

    def __init__(self, handle, size, lang):
        self.handle, self.size, self.lang = handle, max(size, 1), lang
        self.rows, self.start, self.shown, self.last = 0, time.monotonic(), False, 0.0

    def row(self):
        self.rows += 1
        now = time.monotonic()
        if now - self.start < self.MOMENT or now - self.last < 0.2:
            return
        self.last, self.shown = now, True
        try:
            percent = min(100, self.handle.tell() * 100 // self.size)
        except (OSError, ValueError):
            percent = 0
        click.echo("\r" + t("import.progress", self.lang, percent=percent, rows=self.rows), err=True, nl=False)

    def done(self):
        if self.shown:
            click.echo("", err=True)
