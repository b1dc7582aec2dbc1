"""The command line: parses arguments, calls the core, formats output.

Commands are loaded lazily: `crmctl --version` imports this package and `cli.base` only, and a command imports the
modules it uses when it runs (jinja2, smtplib, holidays and tabulate among them).
"""

import click

from crmctl import __version__
from crmctl.cli.base import Env, RootGroup, global_options

CONTEXT = {"help_option_names": ["-h", "--help"]}

# Command name -> "module:attribute", the attribute being the command or a function that makes it.
COMMANDS = {
    "init": "crmctl.cli.admin:init_command",
    "check": "crmctl.cli.admin:check_command",
    "user": "crmctl.cli.admin:user_group",
    "region": "crmctl.cli.admin:region_group",
    "import": "crmctl.cli.transfer:import_command",
    "export": "crmctl.cli.transfer:export_command",
    "customer": "crmctl.cli.generic:customer_group",
    "sr": "crmctl.cli.generic:service_request_group",
    "lead": "crmctl.cli.sales:lead_group",
    "request": "crmctl.cli.sales:account_request_group",
    "project": "crmctl.cli.sales:sales_project_group",
    "inbox": "crmctl.cli.service:inbox_command",
    "ack": "crmctl.cli.service:ack_command",
    "notify": "crmctl.cli.service:notify_command",
    "escalate": "crmctl.cli.service:escalate_command",
    "report": "crmctl.cli.report:report_group",
    "manual": "crmctl.cli.manual:manual_group",
    "git": "crmctl.cli.team:git_group",
    "diff": "crmctl.cli.team:diff_command",
    "log": "crmctl.cli.team:log_command",
    "resolve": "crmctl.cli.merging:resolve_command",
    "sync": "crmctl.cli.syncing:sync_command",
}


@click.version_option(__version__, prog_name="crmctl")
@global_options
@click.group(cls=RootGroup, context_settings=CONTEXT, lazy_commands=COMMANDS)
@click.pass_context
def cli(ctx):
    """crmctl: a command-line CRM whose data is plain YAML files under git.

    Global options may stand before or after the command words.
    """
    ctx.ensure_object(Env)


def main():
    cli(prog_name="crmctl")
