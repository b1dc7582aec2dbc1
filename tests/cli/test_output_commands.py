"""Output safety through the commands: list, show, export and import of crmctl's own CSV."""

import yaml

from conftest import new_request
from smtp_server import smtp  # noqa: F401  (fixture)

NASTY = "Lasku\x1b[2J\x1b]0;pwned\x07\x9b\u202eexe.txt"


def test_list_and_show_escape_what_would_drive_the_terminal(run, store):
    # crmctl refuses such input; a record edited by hand or merged from elsewhere can still carry it.
    sr = new_request(run)
    path = store.path_of(sr)
    record = yaml.safe_load(path.read_text(encoding="utf-8"))
    record["title"] = NASTY
    path.write_text(yaml.safe_dump(record, allow_unicode=True), encoding="utf-8")
    for args in (("sr", "list"), ("sr", "show", sr), ("sr", "list", "--format", "md"), ("sr", "list", "--format", "csv")):
        result = run(*args)
        assert result.exit_code == 0, result.stderr
        for raw in ("\x1b", "\x07", "\x9b", "\u202e"):
            assert raw not in result.stdout, (args, raw)
        assert "\\x1b" in result.stdout


def test_export_neutralises_formulas_and_import_restores_them(run, store, tmp_path):
    sr = new_request(run)
    formula = '=HYPERLINK("http://evil","x")'
    assert run("sr", "set", sr, f"title={formula}").exit_code == 0
    exported = run("export", "sr", "--format", "csv")
    assert exported.exit_code == 0, exported.stderr
    assert "'=HYPERLINK" in exported.stdout and ",=HYPERLINK" not in exported.stdout
    out = tmp_path / "out.csv"
    out.write_text(exported.stdout, encoding="utf-8")
    result = run("--lang", "en", "import", "sr", str(out))
    # the row keeps its id: it is the same record, value for value, or it would be rejected as differing
    assert result.exit_code == 0, result.stderr
    assert result.stderr == "created: 0, updated: 0, unchanged: 1, rejected: 0\n"
    assert store.get(sr)["title"] == formula


def test_quality_report_in_markdown_shows_names_as_text(run):
    for name in ("Pipe | Oy <b>x</b>", "Pipe | Oy <b>x</b>"):
        made = run("customer", "new", f"name={name}", "kind=person", "phone=040 1111111")
        assert made.exit_code == 0, made.stderr  # two alike: the quality report lists them as duplicates
    page = run("--lang", "en", "--format", "md", "report", "quality").stdout
    rows = [line for line in page.splitlines() if "Pipe" in line]
    assert rows and all("<b>" not in row and "Pipe \\| Oy" in row for row in rows)


def test_messages_escape_what_would_drive_the_terminal(run, smtp):
    sr = new_request(run)
    assert run("sr", "delegate", sr, "taija.halme").exit_code == 0
    smtp.inbox.refuse = "550 Mailbox \x1b]0;pwned\x07 unavailable\u202e"  # the server's answer is shown in the error
    result = run("--lang", "en", "notify", "--smtp", smtp.address, "--from", "crm@example.fi")
    assert result.exit_code == 1
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr and "\u202e" not in result.stderr
    assert "\\x1b]0;pwned\\x07" in result.stderr
