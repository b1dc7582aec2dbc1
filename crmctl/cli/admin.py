"""Store-level commands: init, check, user, region."""

import os

import click

from crmctl.checks.store_check import check_store
from crmctl.config.model import label
from crmctl.engine.directory import add_region, add_user, require_admin, set_region, set_user
from crmctl.kernel.errors import CrmError, UsageError
from crmctl.kernel.i18n import t
from crmctl.present.words import headings
from crmctl.workflows.new_store import checked_name, create_store, default_name, name_store
from crmctl.present.formats import render_data
from crmctl.cli.base import EVERY_FORMAT, TEXT_ONLY, CrmGroup, formats, parse_pairs, pass_env


# The columns of `user list` and the catalogue keys of their headings.
USER_COLUMNS = {"handle": "column.handle", "name": "column.name", "email": "column.email", "roles": "column.roles",
                "region": "column.region", "supervisor": "column.supervisor", "planned": "column.planned",
                "active": "column.active", "initials": "column.initials"}


@formats(*TEXT_ONLY)
@click.command("init")
@click.argument("path", required=False, default=".")
@click.option("--demo", is_flag=True, help="Also fill the store with the fictional demo company's data.")
@click.option("--git", "use_git", is_flag=True,
              help="Make PATH a git repository (unless inside one), set it up for sharing, turn auto-commit on "
                   "and commit the new store.")
@click.option("--name", help="The company's name in crmctl.yaml (default: the folder's name; the demo's: Demo Oy).")
@pass_env
def init_command(env, path, demo, use_git, name):
    """Create a new store with the default configuration (and demo data).

    \b
    Examples:
      crmctl init kotkan-kaasu                 a store named kotkan-kaasu
      crmctl init crm --name "Kotkan Kaasu Oy" --git
      crmctl init records --demo               the demo company, Demo Oy
    """
    if name is not None:
        name = checked_name(name)  # before anything is written
    if use_git:
        from crmctl.team.setup import check_hook_free

        check_hook_free(path)
    if demo:
        from crmctl.demo.people import create_demo_store

        create_demo_store(path)
        if name is not None:
            name_store(path, name)
    else:
        create_store(path, name if name is not None else default_name(path))
    if use_git:
        from crmctl.store.store import Store
        from crmctl.team.setup import init_repository

        init_repository(path, [rtype.dir for rtype in Store(path).config.types.values()])
    env.say(t("cli.initialised", env.lang, path=os.path.abspath(path)))


CHECK_LINES_PER_WRITE = 5000


@formats("table", "json", "yaml")
@click.command("check")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--strict", is_flag=True, help="Warnings fail the check too.")
@click.option("--errors-only", is_flag=True,
              help="List only the errors (the summary still counts the warnings); excludes --strict.")
@click.option("--staged", is_flag=True,
              help="Check the versions staged in git's index (what a commit would record), not the working tree.")
@click.option("--changed", is_flag=True,
              help="With --staged: only the records the next commit adds or changes (the pre-commit hook's check); "
                   "everything when it changes the configuration.")
@pass_env
def check_command(env, paths, strict, errors_only, staged, changed):
    """Validate the configuration and every record; one line per problem.

    \b
    Examples:
      crmctl check                      every error and warning
      crmctl check --errors-only        only what makes the check fail
      crmctl check --format json customers/
    """
    store = env.store
    if changed and not staged:
        raise UsageError(code="check.changed_needs_staged")
    if strict and errors_only:  # --strict fails on warnings that --errors-only would not show
        raise UsageError(code="cli.exclusive_options", first="--strict", second="--errors-only")
    if staged:  # the pre-commit hook's check: the index's bytes, read through the same checker
        from crmctl.store.store import Store
        from crmctl.team.staged import staged_changes, staged_files

        store = Store(store.root, files=staged_files(store.root))
        if changed and not paths:
            paths = _changed_records(store, staged_changes(store.root))
            if paths == []:  # the commit changes nothing in the store: nothing to check
                env.say(t("check.summary", env.lang, errors=0, warnings=0))
                return
    findings = check_store(store, env.lang, paths or None)
    shown = [f for f in findings if f.level == "error"] if errors_only else findings
    if env.fmt == "json" or env.fmt == "yaml":
        env.out(render_data([f.as_dict() for f in shown], env.fmt))
    else:  # a chunk at a time: 100,000 lines joined at once cost tens of MiB more than their findings
        for start in range(0, len(shown), CHECK_LINES_PER_WRITE):
            env.out("".join(f"{f}\n" for f in shown[start:start + CHECK_LINES_PER_WRITE]))
    errors = sum(f.level == "error" for f in findings)
    warnings = len(findings) - errors
    env.say(t("check.summary", env.lang, errors=errors, warnings=warnings))
    if errors or (strict and warnings):
        raise click.exceptions.Exit(1)


@click.group("user", cls=CrmGroup)
def user_group():
    """Users: handles, roles, regions, supervisors."""


@formats(*TEXT_ONLY)
@user_group.command("add")
@click.argument("handle")
@click.argument("pairs", nargs=-1)
@pass_env
def user_add(env, handle, pairs):
    """Add a user: name=.. email=.. roles=a,b region=.. [supervisor=..] [planned=true] [initials=..]."""
    add_user(env.store, handle, parse_pairs(pairs), _admin_actor(env), env.lang)


@formats(*TEXT_ONLY)
@user_group.command("set")
@click.argument("handle")
@click.argument("pairs", nargs=-1, required=True)
@pass_env
def user_set(env, handle, pairs):
    """Change a user: e.g. supervisor=.. active=false planned=true initials=mmu (1-5 letters)."""
    set_user(env.store, handle, parse_pairs(pairs), _admin_actor(env), env.lang)


@formats(*EVERY_FORMAT)
@user_group.command("list")
@pass_env
def user_list(env):
    """List users."""
    users = env.store.config.users

    def table():
        rows = [{"handle": h, **u, "roles": ",".join(u.get("roles") or [])} for h, u in users.items()]
        return rows, list(USER_COLUMNS), headings(env.lang, *USER_COLUMNS.values())

    # A list is an array in json/yaml (cli.md): each user an object with its handle, as the file keys them.
    env.listing(users, [{"handle": h, **u} for h, u in users.items()], table)


@click.group("region", cls=CrmGroup)
def region_group():
    """Regions and their default owner per role."""


@formats(*TEXT_ONLY)
@region_group.command("add")
@click.argument("key")
@click.argument("pairs", nargs=-1)
@pass_env
def region_add(env, key, pairs):
    """Add a region: name=.. [sales=USER] [customer_service=USER] [technical=USER]."""
    add_region(env.store, key, parse_pairs(pairs), _admin_actor(env), env.lang)


@formats(*TEXT_ONLY)
@region_group.command("set")
@click.argument("key")
@click.argument("pairs", nargs=-1, required=True)
@pass_env
def region_set(env, key, pairs):
    """Set the default owner per role: ROLE=USER..."""
    set_region(env.store, key, parse_pairs(pairs), _admin_actor(env), env.lang)


@formats(*EVERY_FORMAT)
@region_group.command("list")
@pass_env
def region_list(env):
    """List regions with their default owners."""
    config = env.store.config
    regions = config.regions
    roles = [v for v in config.vocabularies.get("roles", []) if v.key != "admin"]

    def table():
        columns = ["key", "name"] + [v.key for v in roles]
        rows = [{"key": k, "name": r.get("name"), **(r.get("owners") or {})} for k, r in regions.items()]
        headers = headings(env.lang, "column.key", "column.name")
        return rows, columns, headers + [label(v.label, env.lang) for v in roles]

    env.listing(regions, [{"key": k, **r} for k, r in regions.items()], table)


def _changed_records(store, changed):
    """The paths of the changed record files; None (check everything) when a configuration file changed, since
    a changed rule or user can break records the commit does not touch."""
    dirs = {rtype.dir for rtype in store.config.types.values()}
    records = [relative for relative in changed if relative.split("/")[0] in dirs]
    if any(relative.endswith(".yaml") and relative not in records for relative in changed):
        return None
    return [str(store.root / relative) for relative in records]


def _admin_actor(env):
    """The acting user, which may be nobody while the store has no users (bootstrap)."""
    if not env.store.config.users:
        return env.actor_if_known()
    actor = env.actor
    require_admin(env.store, actor)
    return actor


__all__ = ["init_command", "check_command", "user_group", "region_group", "CrmError"]
