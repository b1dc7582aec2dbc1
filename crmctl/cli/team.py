"""Team use through git on the command line: `git setup`, `git merge-file`, `diff`, `log`."""

from importlib.util import find_spec

import click

from crmctl.kernel.i18n import t
from crmctl.cli.base import TEXT_ONLY, LazyGroup, formats, pass_env

# `git merge-file` lives beside `resolve` in crmctl/cli/merging.py; listed only when that module is installed.
GIT_COMMANDS = {"setup": "crmctl.cli.team:setup_command",
                "merge-file": "crmctl.cli.merging:merge_file_command"}


def _available():
    return {name: target for name, target in GIT_COMMANDS.items() if find_spec(target.split(":")[0]) is not None}


@click.group("git", cls=LazyGroup, lazy_commands=_available())
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
