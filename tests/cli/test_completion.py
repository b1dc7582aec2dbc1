"""Completion that knows the data (issue 15, item 6), through Click's completion protocol as the shells call it:
_CRMCTL_COMPLETE=bash_complete|zsh_complete|fish_complete with COMP_WORDS and COMP_CWORD."""

import pytest
from click.testing import CliRunner

from conftest import new_request
from crmctl.cli import cli


def complete(store, line, shell="bash"):
    """The completions the shell would offer for the last word of `line` (a trailing space: a new word)."""
    words = line.split(" ")
    cword = str(len(words) - 1) if shell != "fish" else words[-1]
    env = {"_CRMCTL_COMPLETE": f"{shell}_complete", "COMP_WORDS": line, "COMP_CWORD": cword,
           "CRMCTL_ROOT": str(store.root)}
    result = CliRunner().invoke(cli, [], prog_name="crmctl", env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    if shell == "bash":
        return [item.split(",", 1)[1] for item in result.stdout.splitlines()]
    if shell == "zsh":
        lines = result.stdout.splitlines()
        return [lines[i + 1] for i in range(0, len(lines), 3)]  # type, value, help
    return [item.split(",", 1)[1].split("\t")[0] for item in result.stdout.splitlines()]


def test_record_ids_by_prefix(run, store):
    first, second = new_request(run), new_request(run)
    assert complete(store, f"crmctl sr show {first[:6]}") == sorted([first, second])
    assert complete(store, f"crmctl sr show {first.lower()}") == [first]
    assert complete(store, "crmctl customer show CUST-G") == ["CUST-GENERAL"]
    assert complete(store, f"crmctl ack {first[:6]}", shell="zsh") == sorted([first, second])


def test_ids_are_file_names_not_parsed_records(run, store, monkeypatch):
    from crmctl.store.store import Store

    record_id = new_request(run)
    monkeypatch.setattr(Store, "read_path", lambda *a: pytest.fail("completion parsed a record"))
    assert complete(store, f"crmctl sr history {record_id[:9]}") == [record_id]


def test_user_handles(store):
    assert complete(store, "crmctl sr delegate SR-X taija.") == ["taija.halme"]
    assert "mette.murto" in complete(store, "crmctl inbox --user ")
    assert complete(store, "crmctl sr list --as mette.m", shell="fish") == ["mette.murto"]
    assert complete(store, "crmctl --as mette.m") == ["mette.murto"]


def test_view_names(store):
    views = complete(store, "crmctl sr list --view ")
    assert views[:2] == ["unresolved", "gas_contracts"] and "overdue" in views
    assert complete(store, "crmctl project list --view cs_", shell="zsh") == ["cs_not_started"]


def test_region_keys(store):
    assert complete(store, "crmctl region set ko") == ["kotka"]
    assert complete(store, "crmctl lead new region=", shell="zsh") == ["region=helsinki", "region=kotka",
                                                                        "region=tampere"]


def test_field_keys_in_key_value(store):
    assert complete(store, "crmctl sr new prio") == ["priority="]
    assert complete(store, "crmctl sr set SR-X site.m", shell="zsh") == ["site.meter_number="]
    assert "history=" not in complete(store, "crmctl sr new ")  # set by crmctl, never given


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_enumerated_values_after_key(store, shell):
    assert complete(store, "crmctl sr new priority=", shell=shell) == ["priority=high", "priority=normal",
                                                                       "priority=low"]
    assert complete(store, "crmctl sr set SR-X customer=CUST-G", shell=shell) == ["customer=CUST-GENERAL"]


def test_bash_splits_at_the_equals_sign_and_gets_bare_values(store):
    # bash's COMP_WORDBREAKS holds `=`: `priority=h` reaches crmctl as `priority` `=` `h`
    assert complete(store, "crmctl sr new title=X priority = h") == ["high"]
    assert complete(store, "crmctl sr new priority = ") == ["high", "normal", "low"]


def test_statuses_and_commands(store):
    assert complete(store, "crmctl sr status SR-X on") == ["on_hold"]
    assert complete(store, "crmctl export cu") == ["customer"]
    assert "status" not in complete(store, "crmctl customer ")


def test_outside_a_store_completion_offers_no_data_and_no_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = {"_CRMCTL_COMPLETE": "bash_complete", "COMP_WORDS": "crmctl sr show SR", "COMP_CWORD": "3"}
    result = CliRunner().invoke(cli, [], prog_name="crmctl", env=env, catch_exceptions=False)
    assert (result.exit_code, result.stdout.strip(), result.stderr) == (0, "", "")
