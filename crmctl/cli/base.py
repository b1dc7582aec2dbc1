"""What every command shares: the root group, global options, the environment, error handling."""

import os
import re
import sys
import traceback
from functools import cached_property

import click

from crmctl.kernel import yamlio
from crmctl.engine.directory import resolve_actor
from crmctl.kernel.errors import CrmError, UsageError
from crmctl.present.formats import FORMATS, render_data, render_rows
from crmctl.store.store import Store, discover

VALUE_OPTIONS = ("--root", "--as", "--lang", "--format")
FLAG_OPTIONS = ("-q", "--quiet", "--reveal", "--debug")
PAIR = re.compile(r"^([A-Za-z_][A-Za-z0-9_.]*)=(.*)$", re.S)
# Global option names a command uses for an option of its own (`manual build --lang all`): not hoisted there.
COMMAND_OPTIONS = {}


def hoist_global_options(args):
    """Move global options found after the command words to the front (`sr list --format json`)."""
    front, rest = [], []
    own, command_seen = set(), False
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            rest += args[index:]
            break
        name = arg.split("=", 1)[0]
        if command_seen and name in own:
            rest.append(arg)
        elif name in VALUE_OPTIONS:
            if "=" in arg:
                front.append(arg)
            elif index + 1 < len(args):
                front += [arg, args[index + 1]]
                index += 1
            else:
                rest.append(arg)  # let click report the missing value
        elif arg in FLAG_OPTIONS:
            front.append(arg)
        else:
            if not command_seen and not arg.startswith("-"):
                command_seen, own = True, COMMAND_OPTIONS.get(arg, set())
            rest.append(arg)
        index += 1
    return front + rest


class Env:
    """Global options, and the store and acting user they select (found lazily)."""

    def __init__(self, root=None, actor=None, lang=None, fmt=None, quiet=False, reveal=False, debug=False):
        self.root_option = root
        self.actor_option = actor
        self.lang_option = lang
        self.format_option = fmt
        self.quiet = quiet
        self.reveal = reveal
        self.debug = debug

    @cached_property
    def store(self):
        return Store(discover(self.root_option))

    @property
    def fmt(self):
        return self.format_option or "table"

    @cached_property
    def lang(self):
        chosen = self.lang_option or os.environ.get("CRMCTL_LANG")
        if not chosen:
            try:
                chosen = self.store.config.language
            except CrmError:
                chosen = "fi"
        if chosen not in ("fi", "en"):
            raise UsageError(f"unknown language {chosen!r} (fi or en)")
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
        return resolve_actor(self.store, self.actor_option)

    def actor_if_known(self):
        try:
            return self.actor
        except CrmError:
            return None

    def out(self, text):
        if text:
            click.echo(text, nl=not text.endswith("\n"))

    def listing(self, ids, data, table, skip_empty=False):
        """Print a list the same way everywhere: ids with -q, `data` as json/yaml, else the
        rows of `table()` -> (rows, columns, headers) as table/csv/md (nothing for no rows
        with `skip_empty`)."""
        if self.quiet:
            self.out("".join(f"{i}\n" for i in ids))
        elif self.fmt in ("json", "yaml"):
            self.out(render_data(data, self.fmt))
        else:
            rows, columns, headers = table()
            if rows or not skip_empty:
                self.out(render_rows(rows, columns, headers, self.fmt))

    def say(self, text):
        """A message for people: always stderr, so machine output stays clean."""
        click.echo(text, err=True)

    def warn(self, problems):
        for problem in problems:
            self.say(f"Warning: {problem.text}")


pass_env = click.make_pass_decorator(Env)


class RootGroup(click.Group):
    """Hoists global options and turns core errors into `Error: ...` and an exit code."""

    # fn(type key, command, help) -> the group of a record type; set by crmctl.cli, which
    # imports cli.generic (generic imports this module, so this one cannot import it).
    record_group = None

    def parse_args(self, ctx, args):
        return super().parse_args(ctx, hoist_global_options(list(args)))

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except CrmError as err:
            env = ctx.find_object(Env)
            if env is not None and env.debug:
                raise
            lines = err.lines(env.lang_or_english() if env is not None else "en")
            click.echo(f"Error: {lines[0]}", err=True)
            for line in lines[1:]:
                click.echo(line, err=True)
            ctx.exit(err.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except Exception as err:  # a bug: say so plainly, show the traceback only with --debug
            env = ctx.find_object(Env)
            if env is not None and env.debug:
                traceback.print_exc()
            click.echo(f"Error: internal error: {type(err).__name__}: {err}", err=True)
            ctx.exit(1)

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
        return self.record_group(rtype.key, rtype.command, rtype.label["en"])


def parse_pairs(args):
    """`key=value` arguments as a dict (usage error for anything else)."""
    values = {}
    for arg in args:
        match = PAIR.match(arg)
        if not match:
            raise UsageError(f"expected KEY=VALUE, got {arg!r}")
        values[match.group(1)] = match.group(2)
    return values


def read_mapping(path):
    """A YAML or JSON mapping from a file or `-` (stdin)."""
    if path == "-":
        raw = sys.stdin.buffer.read()
        name = "<stdin>"
    else:
        try:
            with open(path, "rb") as handle:
                raw = handle.read()
        except OSError as err:
            raise CrmError(f"cannot read {path}: {err.strerror}") from None
        name = path
    data = yamlio.parse(raw, name)
    if not isinstance(data, dict):
        raise CrmError(f"{name}: expected a mapping of fields")
    return data


def format_option_choices():
    return FORMATS + ("jsonl",)
