"""The command line: parses arguments, calls the core, formats output."""

import click

from crmctl import __version__
from crmctl.cli import manual, report, sales, service
from crmctl.cli.admin import check_command, init_command, region_group, user_group
from crmctl.cli.base import Env, RootGroup, format_option_choices
from crmctl.cli.generic import record_group
from crmctl.cli.transfer import export_command, import_command
from crmctl.workflows import record_types

CONTEXT = {"help_option_names": ["-h", "--help"]}


@click.group(cls=RootGroup, context_settings=CONTEXT)
@click.option("--root", metavar="PATH", help="Store root (else $CRMCTL_ROOT, else found upwards).")
@click.option("--as", "actor", metavar="USER", help="Acting user (else $CRMCTL_USER, else git user.email).")
@click.option("--lang", type=click.Choice(["fi", "en"]), help="Language of labels and messages.")
@click.option("--format", "fmt", type=click.Choice(format_option_choices()), help="Output format (default: table).")
@click.option("-q", "--quiet", is_flag=True, help="List commands print only ids, one per line.")
@click.option("--reveal", is_flag=True, help="Show confidential fields unmasked.")
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@click.version_option(__version__, prog_name="crmctl")
@click.pass_context
def cli(ctx, root, actor, lang, fmt, quiet, reveal, debug):
    """crmctl: a command-line CRM whose data is plain YAML files under git.

    Global options may stand before or after the command words.
    """
    ctx.obj = Env(root, actor, lang, fmt, quiet, reveal, debug)


cli.record_group = record_group  # for types an administrator adds to the configuration
cli.add_command(init_command)
cli.add_command(check_command)
cli.add_command(user_group)
cli.add_command(region_group)
cli.add_command(import_command)
cli.add_command(export_command)
for _type, _name, _help in (
    (record_types.CUSTOMER, "customer", "Customers (asiakkuudet)."),
    (record_types.SERVICE_REQUEST, "sr", "Service requests (palvelupyynnöt): every customer-service call."),
    (record_types.LEAD, "lead", "Leads (liidit): sales inquiries for sellers."),
    (record_types.ACCOUNT_REQUEST, "request", "Account-creation requests (asiakkaan perustamislomakkeet)."),
    (record_types.SALES_PROJECT, "project", "Sales projects (myyntiprojektit) and their stages."),
):
    cli.add_command(record_group(_type, _name, _help))

# Modules that add their verbs to the groups above and their own top-level commands.
for _module in (service, sales, report, manual):
    _module.install(cli)


def main():
    cli(prog_name="crmctl")
