"""Sales verbs: `lead handle`, `request send|process|reject`, `project stage ...` and `project close`."""

import click

from crmctl.workflows import account_requests
from crmctl.workflows import leads
from crmctl.workflows import projects
from crmctl.kernel.errors import CrmError, UsageError
from crmctl.present.formats import render_data, render_rows
from crmctl.cli.base import EVERY_FORMAT, TEXT_ONLY, CrmGroup, formats, parse_pairs, pass_env
from crmctl.cli.generic import record_group
from crmctl.workflows import record_types
from crmctl.present.words import headings

STAGE_COLUMNS = ["current", "key", "name", "role", "days", "status", "owner", "started", "due", "completed",
                 "reason"]
# Catalogue keys of the stage table's headings (the `current` column's marker has none).
STAGE_HEADERS = ("column.key", "column.stage", "column.role", "column.guideline_days", "column.status", "column.owner",
                 "column.started", "column.due_date", "column.completed", "column.reason")


def _only_reason(pairs, what):
    values = parse_pairs(pairs)
    unknown = [k for k in values if k != "reason"]
    if unknown:
        raise UsageError(code="cli.only_reason", what=what, names=", ".join(unknown))
    return values.get("reason")


@formats(*TEXT_ONLY)
@click.command("handle")
@click.argument("lead_id")
@click.argument("pairs", nargs=-1)
@click.option("--no-action", is_flag=True, help="Handled without a project; needs reason=..")
@pass_env
def lead_handle(env, lead_id, pairs, no_action):
    """Handle a lead: create a sales project of the matching type and print its id.

    The project type comes from the lead's topic (config/project_types.yaml
    `topic`); type=.. chooses another. Other KEY=VALUE pairs are project
    fields (customer=, title=, value=, ...). --no-action reason=.. marks the
    lead handled without a project.
    """
    full_id = env.store.resolve(lead_id, env.store.config.types[record_types.LEAD])
    values = parse_pairs(pairs)
    if no_action:
        reason = values.pop("reason", None)
        if values:
            raise UsageError(code="cli.no_action_only_reason", names=", ".join(values))
        leads.handle_no_action(env.store, full_id, reason, env.actor, env.lang)
        return
    project = leads.handle(env.store, full_id, env.actor, env.lang, values)
    env.out(project["id"] + "\n")


@formats(*TEXT_ONLY)
@click.command("send")
@click.argument("request_id")
@pass_env
def request_send(env, request_id):
    """Send the form to customer service (its region's customer-service owner gets it)."""
    full_id = env.store.resolve(request_id, env.store.config.types[record_types.ACCOUNT_REQUEST])
    account_requests.send(env.store, full_id, env.actor, env.lang)


@formats(*TEXT_ONLY)
@click.command("process")
@click.argument("request_id")
@click.argument("pairs", nargs=-1)
@pass_env
def request_process(env, request_id, pairs):
    """Create the customer from a sent form (customer_number=.. required); prints the customer id."""
    full_id = env.store.resolve(request_id, env.store.config.types[record_types.ACCOUNT_REQUEST])
    values = parse_pairs(pairs)
    number = values.pop("customer_number", None)
    if values:
        raise UsageError(code="cli.only_customer_number", names=", ".join(values))
    customer = account_requests.process(env.store, full_id, number, env.actor, env.lang)
    env.out(customer["id"] + "\n")


@formats(*TEXT_ONLY)
@click.command("reject")
@click.argument("request_id")
@click.argument("pairs", nargs=-1)
@pass_env
def request_reject(env, request_id, pairs):
    """Return a sent form to its seller; needs reason=.."""
    full_id = env.store.resolve(request_id, env.store.config.types[record_types.ACCOUNT_REQUEST])
    account_requests.reject(env.store, full_id, _only_reason(pairs, "reject"), env.actor, env.lang)


@click.group("stage", cls=CrmGroup)
def project_stage():
    """List, start, complete, assign and skip the stages of a sales project."""


def _project_id(env, given):
    return env.store.resolve(given, env.store.config.types[record_types.SALES_PROJECT])


@formats(*TEXT_ONLY)
@project_stage.command("complete")
@click.argument("project_id")
@click.argument("args", nargs=-1)
@click.option("--date", "on", metavar="YYYY-MM-DD", help="Completion date (default today).")
@click.option("--next-owner", metavar="USER", help="Owner of the next stage (default: the region's owner for its role).")
@click.option("--force", is_flag=True, help="Complete someone else's stage; needs reason=.. (recorded).")
@pass_env
def stage_complete(env, project_id, args, on, next_owner, force):
    """Complete the current stage (STAGE, if given, must be it): [STAGE] [reason=..]."""
    stage_key = None
    pairs = []
    for arg in args:
        if "=" in arg:
            pairs.append(arg)
        elif stage_key is None:
            stage_key = arg
        else:
            raise UsageError(code="cli.unexpected_argument", arg=arg)
    reason = _only_reason(pairs, "stage complete")
    if reason is not None and not force:
        raise UsageError(code="cli.reason_needs_force")
    if force and reason is None:
        raise CrmError(code="cli.force_needs_reason")
    projects.complete_stage(env.store, _project_id(env, project_id), env.actor, env.lang, stage_key, on,
                            next_owner, reason if force else None)


@formats(*EVERY_FORMAT)
@project_stage.command("list")
@click.argument("project_id")
@pass_env
def stage_list(env, project_id):
    """The project's stages with names, roles, owners and dates (* marks the current one)."""
    full_id = _project_id(env, project_id)
    record = env.store.get(full_id)
    if env.quiet:  # a list command: -q prints its keys, one per line
        env.out("".join(f"{stage.get('key')}\n" for stage in record.get("stages") or []))
        return
    if env.fmt in ("json", "yaml"):
        env.out(render_data(record.get("stages") or [], env.fmt))
        return
    rows = projects.stage_rows(env.store.config, record, env.lang, labels=env.fmt != "csv")
    if env.fmt != "csv":
        rows = [{k: ("" if v is None else str(v)) for k, v in row.items()} for row in rows]
    env.out(render_rows(rows, STAGE_COLUMNS, [""] + headings(env.lang, *STAGE_HEADERS), env.fmt))


@formats(*TEXT_ONLY)
@project_stage.command("start")
@click.argument("project_id")
@click.argument("stage_key", required=False)
@pass_env
def stage_start(env, project_id, stage_key):
    """Mark the current stage in progress (its owner or an admin); it leaves the not-started queues."""
    projects.start_work(env.store, _project_id(env, project_id), env.actor, env.lang, stage_key)


@formats(*TEXT_ONLY)
@project_stage.command("assign")
@click.argument("project_id")
@click.argument("stage_key")
@click.argument("user")
@pass_env
def stage_assign(env, project_id, stage_key, user):
    """Name USER the owner of STAGE (not yet finished)."""
    projects.assign_stage(env.store, _project_id(env, project_id), stage_key, user, env.actor, env.lang)


@formats(*TEXT_ONLY)
@project_stage.command("skip")
@click.argument("project_id")
@click.argument("stage_key")
@click.argument("pairs", nargs=-1)
@click.option("--next-owner", metavar="USER", help="Owner of the next stage when the current one is skipped.")
@pass_env
def stage_skip(env, project_id, stage_key, pairs, next_owner):
    """Skip STAGE; needs reason=.."""
    projects.skip_stage(env.store, _project_id(env, project_id), stage_key, _only_reason(pairs, "stage skip"),
                        env.actor, env.lang, next_owner)


@formats(*TEXT_ONLY)
@click.command("close")
@click.argument("project_id")
@click.argument("pairs", nargs=-1)
@click.option("--completed", is_flag=True, help="Close as completed; stages not done need --force reason=..")
@click.option("--lost", is_flag=True, help="Close as lost; needs reason=..")
@click.option("--force", is_flag=True, help="With --completed: complete the stages not done; needs reason=.. (recorded).")
@click.option("--date", "on", metavar="YYYY-MM-DD", help="Closing date (default today).")
@pass_env
def project_close(env, project_id, pairs, completed, lost, force, on):
    """Close a project: --completed [--force reason=..], or --lost reason=.."""
    if completed and lost:  # the result cannot be undone, so neither flag may silently win
        raise UsageError(code="cli.exclusive_options", first="--completed", second="--lost")
    if not (completed or lost):
        raise UsageError(code="cli.completed_or_lost")
    reason = _only_reason(pairs, "close")
    if force and lost:
        raise UsageError(code="cli.force_only_with", option="--completed")
    if completed and force and reason is None:
        raise CrmError(code="cli.force_needs_reason")
    if completed and reason is not None and not force:
        raise UsageError(code="cli.reason_needs_force")
    outcome = "completed" if completed else "lost"
    projects.close_project(env.store, _project_id(env, project_id), outcome, env.actor, env.lang,
                           None if completed else reason, on, force_reason=reason if completed else None)


def _with_verbs(group, verbs):
    for verb in verbs:
        group.add_command(verb)
    return group


def lead_group():
    return _with_verbs(record_group(record_types.LEAD, "lead", "Leads (liidit): sales inquiries for sellers."), [lead_handle])


def account_request_group():
    return _with_verbs(record_group(record_types.ACCOUNT_REQUEST, "request",
                                    "Account-creation requests (asiakkaan perustamislomakkeet)."),
                       [request_send, request_process, request_reject])


def sales_project_group():
    return _with_verbs(record_group(record_types.SALES_PROJECT, "project", "Sales projects (myyntiprojektit) and their stages."),
                       [project_stage, project_close])
