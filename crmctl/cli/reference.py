"""docs/cli.md, the command-line reference, generated from the Click command tree so that it cannot drift.

Every command's --help as a person sees it (usage, options with the formats the command declares, a type's
fields, examples), for crmctl's default configuration, in English, at a fixed width: the same bytes on every
machine, whatever store or terminal is around.
"""

import click

from crmctl.cli.base import Env

WIDTH = 100
DEFAULT_OUT = "docs/cli.md"
HEADER = """# crmctl command-line reference

Generated from the command tree by `crmctl manual cli` (never edit it by hand; `crmctl manual cli --check` fails
while it is stale). It describes crmctl's default configuration: a store's own record types, fields and views
show in its `crmctl ... --help`. Global options (`--root --as --lang --format -q --reveal --debug --strict`) may
stand anywhere on the command line; `--format` lists the formats each command produces, and any other is exit 2.

"""


def _commands(ctx, group):
    """(context, command) for `group` and everything under it, depth first in name order."""
    yield ctx, group
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None or command.hidden:
            continue
        sub = click.Context(command, info_name=name, parent=ctx, terminal_width=WIDTH, max_content_width=WIDTH)
        if isinstance(command, click.Group):
            yield from _commands(sub, command)
        else:
            yield sub, command


def build():
    """The text of docs/cli.md."""
    from crmctl.cli import cli
    from crmctl.kernel.resources import defaults_dir

    env = Env(root=str(defaults_dir()), lang="en")  # the default configuration's types, not a store nearby
    root = click.Context(cli, info_name="crmctl", obj=env, terminal_width=WIDTH, max_content_width=WIDTH,
                         **cli.context_settings)
    parts = [HEADER, "## Commands\n\n"]
    found = list(_commands(root, cli))
    for ctx, _ in found[1:]:
        parts.append(f"- [`{ctx.command_path}`](#{_anchor(ctx.command_path)})\n")
    for ctx, command in found:
        parts.append(f"\n## {ctx.command_path}\n\n```text\n{command.get_help(ctx).rstrip()}\n```\n")
    return "".join(parts)


def _anchor(title):
    """GitHub's heading anchor: lower case, spaces to hyphens, other punctuation dropped."""
    return "".join(c for c in title.lower().replace(" ", "-") if c.isalnum() or c in "-_")
