"""No internal errors (issue 11, item 13): every failure is an `Error: ...` with an exit code, never a traceback."""

import errno
import os

import click
import pytest
from click.testing import CliRunner

from crmctl.cli import cli
from conftest import new_request, snapshot

FORMATS = ("table", "json", "yaml", "csv", "md")


def assert_no_internal_error(result, args):
    text = result.stdout + result.stderr
    assert "internal error" not in text and "sisäinen virhe" not in text, (args, text)
    assert "Traceback" not in text, (args, text)
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), \
        (args, repr(result.exception))


def test_notify_dry_run_in_yaml(run):
    sr = new_request(run)
    assert run("sr", "delegate", sr, "taija.halme").exit_code == 0
    result = run("notify", "--dry-run", "--from", "crm@example.fi", "--format", "yaml")
    assert_no_internal_error(result, "notify")
    assert result.exit_code == 0
    assert "subject:" in result.stdout and sr in result.stdout


def test_init_on_an_existing_file(tmp_path):
    target = tmp_path / "file.txt"
    target.write_text("mine\n")
    result = CliRunner().invoke(cli, ["--lang", "en", "init", str(target)])
    assert_no_internal_error(result, "init")
    assert result.exit_code == 1 and str(target) in result.stderr
    assert target.read_text() == "mine\n"


def test_a_full_disk_is_an_error_naming_the_file(run, store, monkeypatch):
    sr = new_request(run)
    before = snapshot(store.root)

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setenv("CRMCTL_FSYNC", "1")
    monkeypatch.setattr(os, "fsync", full)
    result = run("--lang", "en", "sr", "set", sr, "title=Uusi otsikko")
    monkeypatch.undo()
    assert_no_internal_error(result, "set")
    assert result.exit_code == 1
    assert os.strerror(errno.ENOSPC) in result.stderr and sr in result.stderr
    assert snapshot(store.root) == before
    assert not list(store.root.rglob("*.tmp"))


def test_an_unwritable_out_is_an_error(run, store, tmp_path):
    blocker = tmp_path / "a-file"  # a file where a folder should be: unwritable even for root
    blocker.write_text("x\n")
    rows = tmp_path / "in.csv"
    rows.write_text("title\nonly a title\n", encoding="utf-8")
    before = snapshot(store.root)
    for args in (("report", "calls", "--out", str(tmp_path)), ("report", "calls", "--out", str(blocker / "x.md")),
                 ("import", "sr", str(rows), "--rejects", str(blocker / "rejects.csv")),
                 ("manual", "build", "--out", str(blocker / "manual"))):
        result = run("--lang", "en", *args)
        assert_no_internal_error(result, args)
        assert result.exit_code == 1 and str(blocker if "a-file" in args[-1] else tmp_path) in result.stderr
    assert snapshot(store.root) == before


def leaf_commands(group, ctx, words=()):
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if isinstance(command, click.Group):
            yield from leaf_commands(command, ctx, words + (name,))
        else:
            yield words + (name,)


with click.Context(cli) as _context:
    COMMANDS = sorted(set(leaf_commands(cli, _context)))
# Building the manual runs every example (seconds a try): its failures are the --out cases above and the formats.
SLOW = {("manual", "build"), ("manual", "check")}


def test_the_command_list_is_complete():
    assert ("customer", "erase") in COMMANDS and ("notify",) in COMMANDS and ("report", "calls") in COMMANDS


@pytest.mark.parametrize("words", [w for w in COMMANDS if w != ("init",)], ids=" ".join)
def test_every_command_fails_cleanly(words, store, tmp_path, monkeypatch):
    """Each command with no arguments, an unknown id, bad key=values, every format, a missing file (init with
    these arguments would make stores: its failures are tested above)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("EDITOR", "false")
    runner = CliRunner()
    tries = [("--format", fmt) for fmt in FORMATS if fmt != "table"]
    if words not in SLOW:
        tries += [(), ("NOPE-20110101-XXXXX",), ("NOPE-20110101-XXXXX", "bogus=1", "x"), ("=", "a=", "~~"),
                  (str(tmp_path / "missing.csv"),), ("SR",), ("--out", str(tmp_path)),
                  ("--dry-run", "--from", "crm@example.fi", "--format", "yaml")]
    for extra in tries:
        args = ["--root", str(store.root), "--lang", "en", *words, *extra]
        result = runner.invoke(cli, args, catch_exceptions=True)
        assert_no_internal_error(result, args)
        assert result.exit_code in (0, 1, 2), (args, result.exit_code)


def test_an_argument_that_is_not_utf8_is_an_error(run, store):
    before = snapshot(store.root)
    name = b"name=\x9bx".decode("utf-8", "surrogateescape")  # what Python makes of such bytes in argv
    result = run("--lang", "en", "customer", "new", name, "kind=person")
    assert_no_internal_error(result, "customer new")
    assert result.exit_code == 2 and "UTF-8" in result.stderr
    assert snapshot(store.root) == before
