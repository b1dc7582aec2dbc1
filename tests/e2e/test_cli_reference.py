"""docs/cli.md is generated from the command tree and checked for drift, like the manuals (issue 15, item 10)."""

from pathlib import Path

from click.testing import CliRunner

from crmctl.cli import cli
from crmctl.cli.reference import build

REPO = Path(__file__).resolve().parents[2]


def test_committed_reference_is_current():
    assert (REPO / "docs" / "cli.md").read_text(encoding="utf-8") == build(), \
        "docs/cli.md is stale: run `crmctl manual cli` and commit it"


def test_reference_names_every_command_option_and_format():
    text = build()
    for words in ("crmctl sr new", "crmctl project stage complete", "crmctl report quality", "crmctl manual cli"):
        assert f"\n## {words}\n" in text
    assert "--next-owner USER" in text and "--format [table|json|yaml|csv|md]" in text
    assert "  title              Title (required)\n" in text  # the default configuration's fields
    assert "\n## crmctl customer status\n" not in text


def test_reference_is_the_same_whatever_store_language_or_terminal(store, monkeypatch):
    expected = build()
    monkeypatch.setenv("CRMCTL_ROOT", str(store.root))
    monkeypatch.setenv("CRMCTL_LANG", "fi")
    monkeypatch.setenv("COLUMNS", "40")
    assert build() == expected


def test_check_fails_on_a_stale_reference(tmp_path):
    out = tmp_path / "cli.md"
    runner = CliRunner()
    assert runner.invoke(cli, ["--lang", "en", "manual", "cli", "--out", str(out)]).exit_code == 0
    assert out.read_text(encoding="utf-8") == build()
    current = runner.invoke(cli, ["--lang", "en", "manual", "cli", "--check", "--out", str(out)])
    assert (current.exit_code, current.stderr) == (0, f"{out} is current.\n")
    out.write_text("old\n", encoding="utf-8")
    stale = runner.invoke(cli, ["--lang", "en", "manual", "cli", "--check", "--out", str(out)])
    assert stale.exit_code == 1
    assert stale.stderr == f"Error: {out} is stale: the command tree has changed; rebuild it with " \
                           f"`crmctl manual cli --out {out}`\n"
