"""formats.simple_table is tabulate's "simple" table for plain one-line text (it spares the tabulate import)."""

import random

from tabulate import tabulate

from crmctl.present.formats import render_rows, simple_table


def test_simple_table_is_tabulates_simple_style():
    rng = random.Random(1)
    alphabet = "ab Zä-ö.:,é  xy1 2\u00a0"

    def word():
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))

    for _ in range(2000):
        width, height = rng.randint(1, 5), rng.randint(0, 4)
        headers = [word() for _ in range(width)]
        table = [[word() for _ in range(width)] for _ in range(height)]
        assert simple_table(table, headers) == tabulate(table, headers=headers, tablefmt="simple",
                                                        disable_numparse=True) + "\n"


def test_wide_or_multiline_text_goes_to_tabulate():
    rows = [{"a": "漢字", "b": "x"}, {"a": "two\nlines", "b": "1.50"}]
    expected = tabulate([["漢字", "x"], ["two\nlines", "1.50"]], headers=["A", "B"], tablefmt="simple",
                        disable_numparse=True) + "\n"
    assert render_rows(rows, ["a", "b"], ["A", "B"], "table") == expected
