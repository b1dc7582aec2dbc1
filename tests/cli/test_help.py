"""Help (issue 15, item 9): only the verbs a type supports, the type's fields with their levels, the command that
really moves a status, and examples under every command."""

import click
import pytest

from crmctl.cli import cli


def every_command(ctx, group, path=()):
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        yield (*path, name), command
        if isinstance(command, click.Group):  # a context per group, as a call has: examples are found by its words
            yield from every_command(click.Context(command, info_name=name, parent=ctx), command, (*path, name))


def test_customer_group_offers_only_the_verbs_a_customer_supports(run):
    result = run("customer", "--help")
    verbs = result.stdout.split("Commands:\n")[1].split()
    assert "status" not in verbs and "delegate" not in verbs
    assert {"new", "show", "list", "set", "history", "views", "edit", "erase"} <= set(verbs)
    assert {"status", "delegate"} <= set(run("sr", "--help").stdout.split("Commands:\n")[1].split())


def test_a_verb_the_type_lacks_is_an_unknown_command_without_suggesting_itself(run):
    result = run("customer", "status", "CUST-GENERAL", "active")
    assert result.exit_code == 2
    assert "No such command 'status'." in result.stderr and "Did you mean" not in result.stderr


def test_new_help_lists_fields_with_levels_allowed_values_and_rules(run):
    result = run("sr", "new", "--help")
    assert result.exit_code == 0
    fields = result.stdout.split("Fields:\n")[1].split("\nRules:\n")[0]
    assert "  title              Title (required)\n" in fields
    assert "  phone              Phone (recommended)\n" in fields
    assert "  received           Received (required); default: today\n" in fields
    assert "  site.meter_number  Meter number (optional)\n" in fields
    assert "allowed: high, normal, low" in fields
    assert "responded" in fields and "history" not in fields
    rules = result.stdout.split("\nRules:\n")[1]
    assert "  person_name        required when customer = CUST-GENERAL\n" in rules


def test_set_help_lists_the_fields_in_the_chosen_language(run):
    result = run("--lang", "fi", "customer", "set", "--help")
    assert "Kentät:\n  name                         Nimi (pakollinen)\n" in result.stdout
    assert "business_id  pakollinen, kun kind = business" in result.stdout


def test_help_reads_no_record(run, store, monkeypatch):
    from crmctl.store.store import Store

    def refuse(*args, **kwargs):
        raise AssertionError("help read a record")

    monkeypatch.setattr(Store, "records", refuse)
    monkeypatch.setattr(Store, "record_paths", refuse)
    assert run("sr", "new", "--help").exit_code == 0
    assert run("project", "--help").exit_code == 0


def test_help_outside_a_store_describes_the_default_configuration(tmp_path, monkeypatch):
    from click.testing import CliRunner

    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["lead", "new", "--help"], catch_exceptions=False)
    assert result.exit_code == 0 and "  topic " in result.stdout


def test_set_of_a_status_names_the_command_that_makes_the_move(run):
    created = run("project", "new", "type=gas_connection", "customer=CUST-GENERAL", "region=kotka", "title=X")
    assert created.exit_code == 0, created.stderr
    project = created.stdout.strip()
    result = run("--lang", "en", "project", "set", project, "status=lost")
    assert result.exit_code == 1
    assert result.stderr == f"Error: status is not changed with `set`: use `crmctl project close --lost {project}`\n"


def test_set_of_a_plain_status_names_the_status_verb(run):
    from conftest import new_request

    record_id = new_request(run)
    result = run("--lang", "en", "sr", "set", record_id, "status_reason=on_hold")
    assert result.exit_code == 1
    assert result.stderr == ("Error: status_reason is not changed with `set`: "
                             f"use `crmctl sr status {record_id} on_hold`\n")


def test_every_command_shows_two_or_more_examples():
    with click.Context(cli, info_name="crmctl") as ctx:
        missing = [" ".join(words) for words, command in every_command(ctx, cli)
                   if not isinstance(command, click.Group) and not ((command.epilog or "").startswith("Examples:")
                                                                    and command.epilog.count("\n  $ ") >= 2)]
    assert missing == []


@pytest.mark.parametrize("words", [("sr", "list"), ("project", "close"), ("report", "monthly")])
def test_examples_are_shown_as_written(run, words):
    result = run(*words, "--help")
    examples = result.stdout.split("Examples:\n")[1].splitlines()
    assert sum(line.strip().startswith("$ crmctl ") for line in examples) >= 2
