"""`crmctl report NAME`: monthly tracking, calls, leads, adoption and data quality."""

from pathlib import Path

import click

from crmctl.kernel.errors import CrmError
from crmctl.cli.base import CrmGroup, formats, out_file_option, pass_env
from crmctl.kernel.i18n import t

HELP = {
    "monthly": "Sales project tracking per month: open, new, progressed, not progressed, completed, lost, with changes.",
    "calls": "Call tracking: service requests received, resolved and open per month, by subject/origin/unit/owner.",
    "leads": "Leads per month: created, handled, handled without action, handled within the target, converted.",
    "adoption": "Planned users active per month against the success criterion (at least 80 %).",
    "quality": "Data quality: recommended-field fill rates, rule violations, probable duplicate customers "
               "(of the records created from --from to --to; all by default).",
}


def report_command(name, monthly):
    from crmctl.reports.render import FORMATS, SNAPSHOT_FORMATS

    @click.command(name=name, help=HELP.get(name, name))
    @pass_env
    def command(env, start=None, end=None, out=None):
        from crmctl.cli.generic import progress_bar
        from crmctl.reports import run
        from crmctl.reports.render import render

        # A first report after a clone builds the column index: the same bar as a first list
        result = run(env.store, name, start, end, env.lang, progress=lambda rtype: progress_bar(env, rtype))
        text, extra = render(result, env.fmt, env.lang, env.store.root, out)
        if out is None:
            env.out(text)
            return
        files = {Path(out): text, **extra}
        for path, content in files.items():
            try:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
                Path(path).write_text(content, encoding="utf-8")
            except OSError as err:
                raise CrmError(code="cli.cannot_write", path=path, reason=err.strerror) from None
            env.say(t("wrote", env.lang, path=path))

    # Every report takes --from/--to, so a script can loop over the reports with the same options (cli.md).
    if monthly:
        command = click.option("--from", "start", metavar="YYYY-MM",
                               help="First month (default: two months before --to).")(command)
        command = click.option("--to", "end", metavar="YYYY-MM", help="Last month (default: this month).")(command)
    else:
        command = click.option("--from", "start", metavar="YYYY-MM",
                               help="Count only records created from this month on (default: all).")(command)
        command = click.option("--to", "end", metavar="YYYY-MM",
                               help="Count only records created up to the end of this month (default: now).")(command)
    command = out_file_option("Write the report to FILE (Markdown: its SVG chart beside it) instead of stdout; "
                              "the extension (.md .csv .json .yaml .svg) chooses the format.")(command)
    return formats(*(FORMATS if monthly else SNAPSHOT_FORMATS))(command)


class ReportGroup(CrmGroup):
    """The report commands, made from the report definitions when first asked for (the reports load lazily)."""

    def list_commands(self, ctx):
        from crmctl.reports import definitions

        return sorted(definitions())

    def get_command(self, ctx, name):
        if name not in self.commands:
            from crmctl.reports import definitions

            definition = definitions().get(name)
            if definition is None:
                return None
            self.add_command(report_command(name, definition.monthly))
        return super().get_command(ctx, name)


@click.group(name="report", cls=ReportGroup)
def report_group():
    """Reports (seuranta): monthly, calls, leads and adoption per month; quality now.

    \b
    Formats: the global --format table|md|csv|json|yaml|svg (quality:
    table|md|json|yaml) and --lang fi|en. Every report takes --from/--to.
    --out FILE writes the report to FILE, in the format its extension
    names when --format is not given; a Markdown page gets its SVG
    chart beside it (without --out the page carries a Mermaid chart).

    \b
    Example:
      crmctl report monthly --from 2011-01 --to 2011-03
      crmctl report monthly --format md --out tracking.md
    """
