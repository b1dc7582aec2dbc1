"""Output safety (cli.md): text from records cannot drive a terminal, a spreadsheet or a Markdown renderer."""

import csv
import io

from crmctl.present.formats import escape_unsafe, neutralise_formula, render_rows, restore_formula

NASTY = "a\x1b[2Jb\x1b]0;title\x07c\x9bd\u202ee"


def test_control_c1_and_bidi_characters_are_escaped():
    assert escape_unsafe(NASTY) == "a\\x1b[2Jb\\x1b]0;title\\x07c\\x9bd\\u202ee"
    assert escape_unsafe("rivi\nrivi\tsarake ääkköset") == "rivi\nrivi\tsarake ääkköset"


def test_table_md_and_csv_never_carry_raw_control_characters():
    for fmt in ("table", "md", "csv"):
        text = render_rows([{"title": NASTY}], ["title"], ["Title"], fmt)
        assert "\x1b" not in text and "\x9b" not in text and "\u202e" not in text and "\x07" not in text
        assert "\\x1b" in text


def test_json_keeps_the_exact_value():
    assert "\\u001b" in render_rows([{"title": NASTY}], ["title"], ["Title"], "json")


def test_csv_formula_cells_get_a_quote_and_numbers_do_not():
    rows = [{"v": "=HYPERLINK(\"http://x\")"}, {"v": "+1"}, {"v": "-x"}, {"v": "@SUM(A1)"}, {"v": "\tx"},
            {"v": "-5"}, {"v": 7}, {"v": "plain"}]
    text = render_rows(rows, ["v"], ["v"], "csv")
    cells = [row[0] for row in csv.reader(io.StringIO(text))]
    assert cells == ["v", "'=HYPERLINK(\"http://x\")", "'+1", "'-x", "'@SUM(A1)", "'\tx", "-5", "7", "plain"]


def test_restore_formula_undoes_neutralise_for_every_value():
    for value in ("=1+1", "+x", "-x", "@x", "\tx", "'=x", "''=x", "'x", "x", "-5", "'-5", ""):
        assert restore_formula(neutralise_formula(value)) == value


def test_markdown_escapes_pipes_and_html():
    text = render_rows([{"t": "a|b <script>x</script> *b*"}], ["t"], ["T"], "md")
    row = text.splitlines()[-1]
    assert "a\\|b" in row and "<script>" not in row and "&lt;script&gt;" in row and "\\*b\\*" in row
    assert row.count("|") - row.count("\\|") == 2
