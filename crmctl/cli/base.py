"""What every command shares: the root group, global options, declared formats, the environment, error handling.

Start-up cost matters (`crmctl --version` should cost little more than importing click): this module imports only
click and the kernel's errors; the store, the directory and the output helpers are imported where they are used.
"""

import functools
import os
import re
import sys
from functools import cached_property
from importlib import import_module

import click

from crmctl.kernel.errors import CrmError, UsageError
from crmctl.kernel.i18n import t

PAIR = re.compile(r"^([A-Za-z_][A-Za-z0-9_.]*)=(.*)$", re.S)
OUTPUT_FORMATS = ("table", "json", "yaml", "csv", "md", "jsonl", "svg")  # svg: a monthly report's chart
EVERY_FORMAT = ("table", "json", "yaml", "csv", "md")  # what lists, shows and histories produce
TEXT_ONLY = ("table",)  # commands that print only messages or new ids: plain text, no other format
# `--out FILE` chooses the format by the file's extension when --format is not given.
FORMAT_OF_EXTENSION = {".md": "md", ".csv": "csv", ".json": "json", ".yaml": "yaml", ".yml": "yaml", ".jsonl": "jsonl",
                      ".svg": "svg"}


class Env:
    """Global options, and the store and acting user they select (found lazily)."""

    def __init__(self, root=None, actor=None, lang=None, fmt=None, quiet=False, reveal=False, debug=False,
                 strict=False):
        self.root_option = root
        self.actor_option = actor
        self.lang_option = lang
        self.format_option = fmt
        self.quiet = quiet
        self.reveal = reveal
        self.debug = debug
        self.strict = strict  # record files left out (unreadable, or a second copy of an id) fail the command
        self.out_format = None  # the format `--out FILE` implies by its extension
        self.default_format = "table"  # the running command's first declared format
        self.command = None  # the running command's words (`sr set`): auto-commit's subject starts with them
        self.argument = None  # its first argument (an id, a handle) when it is text

    @cached_property
    def store(self):
        from crmctl.store.store import Store, discover

        return Store(discover(self.root_option))

    @property
    def fmt(self):
        return self.format_option or self.out_format or self.default_format

    def accept_formats(self, command, produced):
        """Make sure the chosen format is one that `command` produces (usage error otherwise)."""
        self.default_format = produced[0]
        self.command = command
        if self.format_option is not None:
            if self.format_option not in produced:
                raise UsageError(code="cli.format_not_produced", command=command, fmt=self.format_option,
                                 formats=", ".join(produced))
        elif self.out_format is not None and self.out_format not in produced:
            raise UsageError(code="cli.out_not_produced", command=command, fmt=self.out_format,
                             formats=", ".join(produced))

    @cached_property
    def lang(self):
        chosen = self.lang_option or os.environ.get("CRMCTL_LANG")
        if not chosen:
            try:
                chosen = self.store.config.language
            except CrmError:
                chosen = "fi"
        if chosen not in ("fi", "en"):
            raise UsageError(code="cli.unknown_language", chosen=chosen)
        return chosen

    def lang_or_english(self):
        """The chosen language, or English when even that cannot be found out (the error being reported may be why)."""
        try:
            return self.lang
        except CrmError:
            return "en"

    @cached_property
    def actor(self):
        """The acting user; an error when nobody can be identified."""
        from crmctl.engine.directory import resolve_actor

        return resolve_actor(self.store, self.actor_option)

    def actor_if_known(self):
        try:
            return self.actor
        except CrmError:
            return None

    def out(self, text):
        if text:
            try:
                click.echo(text, nl=not text.endswith("\n"))
            except BrokenPipeError:
                raise ReaderGone() from None

    def listing(self, ids, data, table, skip_empty=False):
        """Print a list the same way everywhere: ids with -q, `data` as json/yaml, else the
        rows of `table()` -> (rows, columns, headers) as table/csv/md (nothing for no rows
        with `skip_empty`)."""
        from crmctl.present.formats import render_data, render_rows

        if self.quiet:
            self.out("".join(f"{i}\n" for i in ids))
        elif self.fmt in ("json", "yaml"):
            self.out(render_data(data, self.fmt))
        else:
            rows, columns, headers = table()
            if rows or not skip_empty:
                self.out(render_rows(rows, columns, headers, self.fmt))

    def say(self, text):
        """A message for people: always stderr, so machine output stays clean (record text in it escaped)."""
        click.echo(_shown(text), err=True)

    def report_left_out(self):
        """Name on stderr every record file the command's reading left out, and how many: nothing unreadable
        is silently omitted from a list, report, export, inbox or escalation (cli.md, "Output safety")."""
        store = self.__dict__.get("store")  # a command that never opened the store read nothing
        if store is None or not (store.skipped or store.duplicates):
            return
        lang = self.lang_or_english()
        for path, err in store.skipped.items():
            self.say(f"{t('warning', lang)}: {err.located(store.display_path(path), lang)} ({t('skipped', lang)})")
        for path, kept in store.duplicates.items():
            self.say(f"{t('warning', lang)}: " + t("unreadable.duplicate", lang, path=store.display_path(path),
                                                   id=path.stem, kept=store.display_path(kept)))
        count = len(store.skipped) + len(store.duplicates)
        self.say(t("unreadable.count", lang, count=count))
        if self.strict:
            raise CrmError(code="unreadable.strict", count=count)

    def commit_writes(self):
        """Auto-commit (`git: {commit: auto}`): the files this command wrote, as the acting user; a store outside
        git gets a warning, not a failure."""
        store = self.__dict__.get("store")
        if store is None or not store.written:
            return
        from crmctl.team.autocommit import commit_command, enabled

        try:
            if not enabled(store.config):
                return
        except CrmError:
            return
        problem = commit_command(store, self.command or "crmctl", self.argument, self.actor_if_known())
        if problem is not None:
            self.say(f"{t('warning', self.lang_or_english())}: {problem.lines(self.lang_or_english())[0]}")

    def warn(self, problems):
        for problem in problems:
            self.say(f"{t('warning', self.lang_or_english())}: {problem.text}")


pass_env = click.make_pass_decorator(Env)


def _shown(text):
    """A message as it may reach a terminal: characters that would drive it escaped (cli.md, Output safety)."""
    from crmctl.present.formats import escape_unsafe

    return escape_unsafe(text)


# -- global options ------------------------------------------------------------------------------------------------

def _set_on_env(attribute):
    """An option callback that stores a given value on the Env; an option not given leaves it as it is, so
    `crmctl --format json sr list` and `crmctl sr list --format json` end the same."""

    def callback(ctx, param, value):
        if value is not None and value is not False:
            setattr(ctx.ensure_object(Env), attribute, value)
        return value

    return callback


def _global_option_list(produced=None):
    """Fresh option objects (one set per command) for the global options of cli.md; a command's help shows the
    formats it `produced` (any format is accepted by the parser, so a wrong one gets the same error everywhere)."""
    format_help = {"metavar": f"[{'|'.join(produced)}]", "help": f"Output format (default: {produced[0]})."} \
        if produced else {"help": "Output format (default: table)."}
    return [
        click.Option(["--root"], metavar="PATH", expose_value=False, callback=_set_on_env("root_option"),
                     help="Store root (else $CRMCTL_ROOT, else found upwards)."),
        click.Option(["--as", "actor"], metavar="USER", expose_value=False, callback=_set_on_env("actor_option"),
                     help="Acting user (else $CRMCTL_USER, else git user.email)."),
        click.Option(["--lang"], type=click.Choice(["fi", "en"]), expose_value=False,
                     callback=_set_on_env("lang_option"), help="Language of labels and messages."),
        click.Option(["--format", "fmt"], type=click.Choice(OUTPUT_FORMATS), expose_value=False,
                     callback=_set_on_env("format_option"), **format_help),
        click.Option(["-q", "--quiet"], is_flag=True, expose_value=False, callback=_set_on_env("quiet"),
                     help="List commands print only ids, one per line."),
        click.Option(["--reveal"], is_flag=True, expose_value=False, callback=_set_on_env("reveal"),
                     help="Show confidential fields unmasked."),
        click.Option(["--debug"], is_flag=True, expose_value=False, callback=_set_on_env("debug"),
                     help="Show tracebacks."),
        click.Option(["--strict"], is_flag=True, expose_value=False, callback=_set_on_env("strict"),
                     help="Record files that cannot be read are an error (exit 1), not a warning."),
    ]


def global_options(command):
    """Give `command` the global options it does not declare itself (`manual build --lang all` keeps its own
    --lang). Usable as a decorator; calling it twice adds nothing."""
    taken = {opt for param in command.params for opt in param.opts + param.secondary_opts}
    missing = _global_option_list(getattr(command, "formats", None))
    command.params.extend(option for option in missing if not taken & set(option.opts))
    return command


def formats(*produced):
    """Declare the output formats a command produces, its default first: `@formats("table", "json", ...)` above
    `@click.command`. Any other --format (or --out extension) is a usage error naming the command."""

    def decorate(command):
        command.formats = produced
        callback = command.callback

        @functools.wraps(callback)
        def checked(*args, **kwargs):
            ctx = click.get_current_context()
            env = ctx.ensure_object(Env)
            env.accept_formats(command_words(ctx), produced)
            first = next((p.name for p in command.params if isinstance(p, click.Argument)), None)
            if isinstance(ctx.params.get(first), str):
                env.argument = ctx.params[first]
            return callback(*args, **kwargs)

        command.callback = checked
        return command

    return decorate


def command_words(ctx):
    """`report calls` for `crmctl report calls`: the words after the program's name."""
    words = []
    while ctx.parent is not None:
        words.append(ctx.info_name)
        ctx = ctx.parent
    return " ".join(reversed(words))


def out_file_option(help_text):
    """`--out FILE`: its extension (.md .csv .json .yaml .jsonl) chooses the format when --format is not given."""

    def remember_format(ctx, param, value):
        if value:
            implied = FORMAT_OF_EXTENSION.get(os.path.splitext(value)[1].lower())
            if implied:
                ctx.ensure_object(Env).out_format = implied
        return value

    return click.option("--out", metavar="FILE", callback=remember_format, help=help_text)


# The generic verbs' group maker, for record types an administrator adds to the configuration.
RECORD_GROUP = "crmctl.cli.generic:record_group"
# The completers of parameters (record ids, handles, views, KEY=VALUE), given to commands while the shell completes.
COMPLETION = "crmctl.cli.completion"


# -- groups --------------------------------------------------------------------------------------------------------

class CrmGroup(click.Group):
    """A group whose every command gets the global options, whenever and however it is loaded."""

    def get_command(self, ctx, name):
        command = super().get_command(ctx, name)
        if command is None:
            return None
        from crmctl.cli.examples import attach_examples

        words = " ".join(filter(None, (command_words(ctx), name)))
        command = global_options(attach_examples(command, words))
        if ctx.resilient_parsing:  # the shell asks for completions (only then: a command's run needs none)
            import_module(COMPLETION).attach_completion(command, words)  # by name: completion imports this module
        return command


class LazyGroup(CrmGroup):
    """A group that imports a command's module only when the command is used (click's lazy-loading pattern):
    `lazy_commands` maps a name to "module:attribute", the attribute being a command or a function making one."""

    def __init__(self, *args, lazy_commands=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands or {})

    def list_commands(self, ctx):
        return sorted(set(super().list_commands(ctx)) | set(self.lazy_commands))

    def get_command(self, ctx, name):
        if name in self.lazy_commands and name not in self.commands:
            module_name, attribute = self.lazy_commands[name].split(":")
            found = getattr(import_module(module_name), attribute)
            self.add_command(found if isinstance(found, click.Command) else found(), name)
        return super().get_command(ctx, name)


# Import name -> the distribution setup.cfg requires, for the error a missing one gives.
DEPENDENCIES = {"click": "click", "yaml": "PyYAML", "jinja2": "Jinja2", "tabulate": "tabulate", "holidays": "holidays",
                "phonenumbers": "phonenumbers", "email_validator": "email-validator"}


def _missing_dependency(err):
    """The distribution to install when `err` is the import of a package crmctl requires failing, else None."""
    if not isinstance(err, ModuleNotFoundError):
        return None
    return DEPENDENCIES.get((err.name or "").split(".")[0])


REDUCED_NOTES = {"phone": "cli.reduced.phone", "email": "cli.reduced.email"}  # by kernel/validators.REDUCED's keys


def _say_reduced(ctx):
    """Say on stderr which values were checked by crmctl's basic rule because a package was missing
    (kernel/validators.REDUCED): never silently less than the full check."""
    validators = sys.modules.get("crmctl.kernel.validators")  # not imported: no value was checked
    if validators is None or not validators.REDUCED:
        return
    env = ctx.find_object(Env)
    lang = env.lang_or_english() if env is not None else "en"
    for field_type, package in sorted(validators.REDUCED.items()):
        click.echo(t(REDUCED_NOTES[field_type], lang, package=package), err=True)


class ReaderGone(Exception):
    """The reader of stdout closed it (`crmctl sr list | head`): output is written in pieces, and the piece after
    the reader left finds the pipe closed. As when the whole output went in one write, that is no error."""


def _discard_stdout():
    """What is still buffered goes nowhere, instead of failing when Python flushes stdout at exit."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # not a file descriptor (a test's captured output)
        pass


class RootGroup(LazyGroup):
    """The `crmctl` group, and the one place that turns errors into a message and an exit code.

    Core errors (CrmError and its kinds) print `Error: ...` (`Virhe: ...` in Finnish) and exit with their code (1, usage errors 2); click's
    own usage errors go to click, which prints them and exits 2; a package crmctl requires that is not installed is
    named with the way to install it, exit 1; anything else is a bug: `internal error`, exit 1
    (traceback only with --debug).
    """

    def invoke(self, ctx):
        ctx.call_on_close(lambda: _say_reduced(ctx))  # whatever the outcome, error or not
        try:
            result = super().invoke(ctx)
            env = ctx.find_object(Env)
            if env is not None:
                env.report_left_out()
                env.commit_writes()
            return result
        except CrmError as err:
            env = ctx.find_object(Env)
            if env is not None and env.debug:
                raise
            lang = env.lang_or_english() if env is not None else "en"
            lines = [_shown(line) for line in err.lines(lang)]
            if err.exit_code == 0:  # what was asked already holds: a notice on stderr, not an error
                click.echo("\n".join(lines), err=True)
                ctx.exit(0)
            click.echo(f"{t('error', lang)}: {lines[0]}", err=True)
            for line in lines[1:]:
                click.echo(line, err=True)
            ctx.exit(err.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except ReaderGone:  # `crmctl check | head`: what the reader read is its answer, as with git or grep
            _discard_stdout()
            ctx.exit(0)
        except OSError as err:  # a full disk, a file where a folder should be: the system's words, and the path
            env = ctx.find_object(Env)
            if env is not None and env.debug:
                raise
            lang = env.lang_or_english() if env is not None else "en"
            where = err.filename if err.filename is not None else "-"
            click.echo(f"{t('error', lang)}: {t('cli.os_error', lang, path=where, reason=err.strerror or err)}", err=True)
            ctx.exit(1)
        except Exception as err:  # a bug: say so plainly, show the traceback only with --debug
            env = ctx.find_object(Env)
            if env is not None and env.debug:
                import traceback

                traceback.print_exc()
            lang = env.lang_or_english() if env is not None else "en"
            package = _missing_dependency(err)
            if package is not None:  # an incomplete installation, not a bug: name the package to install
                click.echo(f"{t('error', lang)}: {t('cli.missing_dependency', lang, package=package)}", err=True)
            else:
                click.echo(f"{t('error', lang)}: {t('internal_error', lang)}: {type(err).__name__}: {err}", err=True)
            ctx.exit(1)

    def parse_args(self, ctx, args):
        if ctx.resilient_parsing:  # the shell completes: `crmctl --as <TAB>` offers handles too
            import_module(COMPLETION).attach_completion(self, "")
        return super().parse_args(ctx, args)

    def get_command(self, ctx, name):
        command = super().get_command(ctx, name)
        if command is not None:
            return command
        # A record type an administrator added to the configuration gets the generic verbs too.
        env = ctx.find_object(Env)
        try:
            rtype = env.store.config.type_by_command(name) if env else None
        except CrmError:
            return None
        if rtype is None:
            return None
        # By name, like every command of the root (crmctl.cli.generic imports this module).
        module_name, attribute = RECORD_GROUP.split(":")
        record_group = getattr(import_module(module_name), attribute)
        return global_options(record_group(rtype.key, rtype.command, rtype.label["en"]))


def parse_pairs(args):
    """`key=value` arguments as a dict (usage error for anything else)."""
    values = {}
    for arg in args:
        if not _valid_text(arg):  # bytes that are not UTF-8 arrive as lone surrogates, which no file can hold
            raise UsageError(code="cli.not_utf8", arg=arg.encode("utf-8", "surrogateescape").decode("latin-1"))
        match = PAIR.match(arg)
        if not match:
            raise UsageError(code="cli.expected_pair", arg=arg)
        values[match.group(1)] = match.group(2)
    return values


def _valid_text(text):
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def read_mapping(path):
    """A YAML or JSON mapping from a file or `-` (stdin)."""
    from crmctl.kernel import yamlio

    if path == "-":
        raw = sys.stdin.buffer.read()
        name = "<stdin>"
    else:
        try:
            with open(path, "rb") as handle:
                raw = handle.read()
        except OSError as err:
            raise CrmError(code="cli.cannot_read", path=path, reason=err.strerror) from None
        name = path
    data = yamlio.parse(raw, name)
    if not isinstance(data, dict):
        raise CrmError(code="cli.expected_mapping", name=name)
    return data
