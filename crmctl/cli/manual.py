"""`crmctl manual build|check`: the generated user manuals."""

from contextlib import nullcontext
from pathlib import Path

import click

from crmctl.config.model import LANGUAGES
from crmctl.kernel.i18n import t
from crmctl.kernel.errors import CrmError
from crmctl.cli.base import TEXT_ONLY, CrmGroup, formats, pass_env

# The builder's DEFAULT_OUT, written here so that `--help` needs no builder (a test keeps the two equal).
DEFAULT_OUT = Path("docs") / "manual"


def run_in_process(args, now):
    """Run crmctl in this process (for the manual's examples): (exit code, stdout, terminal output)."""
    from click.testing import CliRunner

    from crmctl.cli import cli

    result = CliRunner().invoke(cli, args, env={"CRMCTL_NOW": now, "CRMCTL_USER": None, "CRMCTL_ROOT": None,
                                                "CRMCTL_LANG": None, "NO_COLOR": None},
                                catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise CrmError(code="cli.example_failed", args=" ".join(args), error=repr(result.exception))
    return result.exit_code, result.stdout, result.output


def _source(env, defaults):
    """The store whose configuration the manual describes: the store, or a fresh default one."""
    from crmctl.manual import builder

    return builder.default_store() if defaults else nullcontext(env.store)


def _files(env, langs, defaults):
    from crmctl.manual import builder

    with _source(env, defaults) as store:
        return builder.build(store, langs, run_in_process)


defaults_option = click.option(
    "--defaults", is_flag=True,
    help="Describe crmctl's default configuration (a fresh `crmctl init` store) instead of the store's. "
         "The committed docs/manual/ is built this way, so demo data never changes it.")
out_option = click.option("--out", "out", metavar="DIR", type=click.Path(file_okay=False, path_type=Path),
                          default=DEFAULT_OUT, show_default=True, help="Directory with one folder per language.")


@click.group("manual", cls=CrmGroup)
def manual_group():
    """User manuals (käyttöohjeet) generated from the configuration, with real examples."""


@formats(*TEXT_ONLY)
@manual_group.command("build")
@click.option("--lang", "lang", type=click.Choice(LANGUAGES + ("all",)), default="all", show_default=True,
              help="Language to build.")
@out_option
@defaults_option
@pass_env
def build_command(env, lang, out, defaults):
    """Write DIR/<lang>/*.md: customer-service manual, sales manual, reference, index."""
    from crmctl.manual import builder

    langs = LANGUAGES if lang == "all" else (lang,)
    files = _files(env, langs, defaults)
    for path in builder.write(files, out):
        env.say(t("wrote", env.lang, path=path))


@formats(*TEXT_ONLY)
@manual_group.command("check")
@out_option
@defaults_option
@pass_env
def check_command(env, out, defaults):
    """Rebuild in memory; exit 1 listing the files under DIR that differ."""
    from crmctl.manual import builder

    files = _files(env, LANGUAGES, defaults)
    differ = builder.stale(files, out)
    for path in differ:
        env.out(str(path))
    if differ:
        raise CrmError(code="cli.manual_stale", out=out, count=len(differ), defaults=" --defaults" if defaults else "")
    env.say(t("cli.manual_current", env.lang, out=out))



@formats(*TEXT_ONLY)
@manual_group.command("cli")
@click.option("--out", "out", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("docs") / "cli.md", show_default=True, help="Where the reference goes.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when FILE differs from the command tree.")
@pass_env
def cli_reference_command(env, out, check):
    """Write the command-line reference (every command, option and format) from the command tree."""
    from crmctl.cli.reference import build

    text = build()
    if check:
        current = out.read_text(encoding="utf-8") if out.is_file() else None
        if current != text:
            raise CrmError(code="cli.reference_stale", out=out)
        env.say(t("cli.reference_current", env.lang, out=out))
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    env.say(t("wrote", env.lang, path=out))
