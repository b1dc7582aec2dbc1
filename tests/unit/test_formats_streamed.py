"""The output layer's writers hand out in pieces exactly the text it renders at once: a plain table is
tabulate's "simple" table over more rows than a piece holds, csv is one csv.writer's text, json and yaml lists
are `render_data` of the whole list."""

from datetime import date, datetime, timezone

import pytest
from tabulate import tabulate

from crmctl.present import formats


def pieces(write_with):
    written = []
    write_with(written.append)
    assert all(piece.endswith("\n") for piece in written)  # the CLI's echo adds a newline to any other piece
    return "".join(written)


def many_rows(count):
    return [(f"SR-{n:05d}", f"Otsikko {n % 7}" * (n % 3), "2011-01-0" + str(n % 9 + 1), "Mette Murto")
            for n in range(count)]


HEADERS = ["Tunnus", "Otsikko", "Saapunut", "Omistaja"]
COLUMNS = ["id", "title", "received", "owner"]


@pytest.mark.parametrize("count", [0, 1, formats.CHUNK, formats.CHUNK * 2 + 3])
def test_a_plain_table_is_tabulates_simple_table(count):
    rows = many_rows(count)
    text = pieces(lambda write: formats.write_rows(rows, COLUMNS, HEADERS, "table", write))
    if not rows:
        assert text == ""
        return
    assert text == tabulate(rows, headers=HEADERS, tablefmt="simple", disable_numparse=True) + "\n"
    assert text == formats.render_rows([dict(zip(COLUMNS, row)) for row in rows], COLUMNS, HEADERS, "table")


def test_spaces_control_characters_and_wide_text_as_at_once():
    rows = [(" padded ", "a\x1bb", "x", "y"), ("tab\there", "\u202eexe.txt", "", "z"), ("1", "2", "3", "4")]
    for fmt in ("table", "md", "csv"):
        at_once = formats.render_rows([dict(zip(COLUMNS, row)) for row in rows], COLUMNS, HEADERS, fmt)
        assert pieces(lambda write: formats.write_rows(rows, COLUMNS, HEADERS, fmt, write)) == at_once
    wide = rows + [("漢字", "emoji \U0001F600", "", "")]  # not plain: tabulate measures the widths
    text = pieces(lambda write: formats.write_rows(wide, COLUMNS, HEADERS, "table", write))
    assert "漢字" in text and text == formats.render_rows([dict(zip(COLUMNS, r)) for r in wide], COLUMNS, HEADERS,
                                                          "table")


def test_csv_in_pieces_is_one_writers_text():
    rows = [(f"SR-{n}", "=SUM(A1)" if n % 5 == 0 else f"rivi, {n}", date(2011, 1, 1 + n % 28), n % 2 == 0)
            for n in range(formats.CHUNK * 2 + 7)]
    text = pieces(lambda write: formats.write_rows(rows, COLUMNS, HEADERS, "csv", write))
    assert text == formats.render_rows([dict(zip(COLUMNS, row)) for row in rows], COLUMNS, HEADERS, "csv")
    assert text.splitlines()[0] == ",".join(COLUMNS) and "'=SUM(A1)" in text


RECORDS = [
    {"id": "SR-1", "title": "Rivi\ntoinen \"lainaus\"", "received": date(2011, 1, 2), "tags": [], "site": {},
     "history": [{"at": datetime(2011, 1, 2, 10, tzinfo=timezone.utc), "by": "mette.murto", "event": "created"}]},
    {"id": "SR-2", "title": "Ääkköset ja 漢字", "count": 3, "ok": True, "none": None,
     "site": {"street": "Gunnarintie 5", "meters": [1, 2]}},
]


@pytest.mark.parametrize("fmt", ["json", "yaml"])
@pytest.mark.parametrize("records", [[], RECORDS[:1], RECORDS])
def test_records_one_at_a_time_are_the_whole_lists_data(fmt, records):
    text = pieces(lambda write: formats.write_records(iter(records), fmt, write))
    assert text == formats.render_data(records, fmt)


class Number(int):
    pass


def test_indented_json_is_json_modules():
    values = [RECORDS, {}, [], "", None, True, False, 0, -7, Number(5), 1.5, float("nan"), float("inf"), 1e300,
              {"a": [[], {}, [{}], ({"b": (1, 2)},)], date(2011, 1, 2): "key a date", 3: "key a number",
               "ctl": "\x00\x1b\u2028\"\\/", "deep": {"x": {"y": {"z": [None, "ä"]}}}},
              datetime(2011, 1, 2, 3, 4, 5, 6, tzinfo=timezone.utc)]
    for value in values:
        assert formats.indented_json(value, "\n") == formats.json.dumps(formats.plain(value), ensure_ascii=False,
                                                                       indent=2)
    with pytest.raises(TypeError):
        formats.indented_json({"a": {1, 2}}, "\n")


@pytest.mark.parametrize("count", [0, 1, formats.CHUNK + 1])
def test_markdown_is_tabulates_github_table(count):
    rows = [(f" SR-{n} ", "a|b *c* <d> & e_f \\ [g]", "", "x\ny" if n % 3 else "`z`") for n in range(count)]
    headers = [" Tunnus ", "Otsikko|", "", "H"]
    at_once = pieces(lambda write: formats.write_rows(rows, COLUMNS, headers, "md", write))
    table = [[formats.markdown_text(formats.escape_unsafe(cell)) for cell in row] for row in rows]
    shown = [formats.markdown_text(h) for h in headers]
    assert at_once == tabulate(table, headers=shown, tablefmt="github", disable_numparse=True) + "\n"
    wide = rows + [("漢字", "", "", "")]
    table = [[formats.markdown_text(cell) for cell in row] for row in wide]
    assert pieces(lambda write: formats.write_rows(wide, COLUMNS, headers, "md", write)) == tabulate(
        table, headers=shown, tablefmt="github", disable_numparse=True) + "\n"
