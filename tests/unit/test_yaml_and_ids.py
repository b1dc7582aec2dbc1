"""Canonical YAML and record ids: the kernel pieces of issue 2's foundation (from test_foundation)."""

from datetime import date, datetime, timedelta, timezone

import pytest

from crmctl.kernel import ids
from crmctl.kernel import yamlio


def test_canonical_yaml_round_trips_byte_for_byte():
    record = {
        "id": "SR-20110125-8HX3D",
        "title": "Ääkköset ja “lainaukset”: 'yes' no 0123 2011-01-25",
        "received": date(2011, 1, 25),
        "description": "Rivi 1\nRivi 2\n",
        "meter_reading": 48213,
        "history": [{"at": datetime(2011, 1, 25, 10, 0, tzinfo=timezone(timedelta(hours=2))),
                     "by": "mette.murto", "event": "created"}],
    }
    shared = {"address": "Gunnarintie 5"}
    record["site"] = shared
    record["other_site"] = shared  # the same object twice never becomes an anchor and alias
    text = yamlio.dump(record)
    assert "&" not in text and "*" not in text and "!!" not in text
    assert "received: 2011-01-25\n" in text
    assert "- at: 2011-01-25T10:00:00+02:00\n" in text
    assert "description: |\n  Rivi 1\n  Rivi 2\n" in text
    assert "Ääkköset" in text and text.endswith("\n") and "\r" not in text
    assert yamlio.dump(yamlio.load(text)) == text


def test_ids_are_random_crockford_base32_and_collision_checked():
    made = ids.new_id("SR", date(2011, 1, 25))
    assert ids.RANDOM_ID.match(made) and made.startswith("SR-20110125-")
    assert not set(made[-5:]) & set("ILOU")
    calls = []

    def is_taken(candidate):
        calls.append(candidate)
        return len(calls) < 3  # the first two candidates collide
    assert ids.new_id("SR", date(2011, 1, 25), is_taken) == calls[-1] and len(calls) == 3
    with pytest.raises(RuntimeError):
        ids.new_id("SR", date(2011, 1, 25), lambda candidate: True)


TRICKY_DOCUMENTS = [
    "",
    "a: 1\n",
    "- 1\n- two\n",
    "plain: text\nyes_word: yes\noff: off\nnull_word: null\ntilde: ~\nempty:\nfloat: 1.5\nexp: 1e3\n"
    "octal: 0o17\nold_octal: 017\nhex: 0x1F\nsexagesimal: 1:20\nunderscored: 1_000\ninf: .inf\nnan: .nan\n",
    "day: 2011-01-25\nmoment: 2011-01-25T10:00:00+02:00\nspaced: 2011-01-25 10:00:00\nutc: 2011-01-25T10:00:00Z\n",
    "quoted: 'yes'\ndouble: \"2011-01-25\"\nblock: |\n  one\n  two\nfolded: >\n  one\n  two\n",
    "nested:\n  a:\n  - x: 1\n    y: [1, 2, {z: 3}]\n  b: {c: d}\n",
    "1: int key\n2011-01-25: date key\ntrue: bool key\nnull: null key\n",
    "base: &b {a: 1}\nmerged:\n  <<: *b\n  c: 2\n",
    "merged:\n  <<: {a: 1}\n  c: 2\n",
    "value_key:\n  =: 1\n",
    "twice: 1\ntwice: 2\n",
    "? [a, b]\n: complex key\n",
    "? {a: 1}\n: mapping key\n",
    "bad_day: 2011-02-30\n",
    "long: " + "9" * 5000 + "\n",
    "hour: 2011-01-25T25:00:00+02:00\n",
    "set: !!set {a, b}\n",
    "binary: !!binary aGVsbG8=\n",
    "a: [unclosed\n",
    # the canonical form and its near misses, for the line reader
    "id: SR-1\nlist:\n- a\n- 'b: c'\n- 'it''s'\nmaps:\n- at: 2011-01-25T10:00:00+02:00\n  changes:\n    x:\n    - null\n"
    "    - 2011-01-25\n  by: me\n- at: 2011-01-26\nempty_list: []\nempty_map: {}\nnone:\nafter: 1\n",
    "title: text # a comment\n",
    "title: trailing space \n",
    "title:   spaces first\n",
    "title: tab\there\n",
    "title: a\r\nother: b\r\n",
    "\ufefftitle: bom\n",
    "title: line\u2028separator\n",
    "title: next\x85line\n",
    "title: continued\n  on the next line\n",
    "list:\n- continued\n  item\n",
    "yes: bool key\n",
    "null: null key\n",
    "on: 1\nOff: 2\n",
    "negative: -5\nminus: - x\n",
    "nested:\n- - a\n  - b\n",
    "deeper:\n  - a\n  - b\n",
    "quoted: 'unclosed\n",
    "quoted: 'a' 'b'\n",
    "double: \"a\\tb\"\n",
    "colon: a:b\nurl: http://x.fi/a#b\nend: a:\n",
    "odd: @x\nback: `x`\npercent: %x\n",
    "# a comment first\na: 1\n",
    "a: 1\n\nb: 2\n",
    "---\na: 1\n",
    "a: 1\n...\n",
    "a: 1\n b: 2\n",
    "a:\n  b: 1\n c: 2\n",
    "a:\n- 1\nb: 2\n- 3\n",
    "- top\n- list\n",
    "just text\n",
    "numbers: [1, 2]\nint: 0042\nfloat: 1_0.5\nsexa: 190:20:30\ntime: 12:30\n",
    "day: 2011-1-5\nmoment: 2011-01-25t10:00:00z\nfraction: 2011-01-25T10:00:00.123456+02:00\n",
    "same: 2011-01-25\nagain: 2011-01-25\nnumber: 7\nagain_number: 7\n",
    # keys already known to the line reader (checked once per process), then misused
    "title: a\nstatus: b\n", "title: a\ntitle: b\n", "title: a\nstatus\n", "title: a\nyes: b\n",
]


@pytest.mark.parametrize("text", TRICKY_DOCUMENTS)
def test_plain_construction_gives_what_the_full_constructor_gives(text):
    """`load` builds ordinary documents straight from libyaml's nodes (the cold list's fast path); it must give
    exactly the full constructor's value, types and key order included, or the same error."""
    import yaml

    def outcome(read):
        try:
            return "value", _typed(read())
        except (yaml.YAMLError, ValueError, TypeError, OverflowError) as err:
            return "error", type(err).__name__

    full = outcome(lambda: yaml.load(text, Loader=yamlio.Loader))
    for fast in (yamlio._construct_plain, yamlio._read_canonical):
        try:
            plain = outcome(lambda: fast(text))
        except yamlio._Unusual:
            continue  # left to the next reader, and at last to the full constructor
        if plain[0] == "value" or full[0] == "value":
            assert plain == full, fast
    try:
        loaded = ("value", _typed(yamlio.load(text)))
    except Exception as err:  # noqa: BLE001 - compared with what load did before the fast path
        loaded = ("error", type(err).__name__)
    if full[0] == "value" and "&" not in text and "!" not in text:
        assert loaded == full


def _typed(value):
    """A value as nested (type, content): equal exactly when types, key order and texts are (a pickle would also
    compare which equal values are one shared object)."""
    if isinstance(value, dict):
        return "dict", [(_typed(k), _typed(v)) for k, v in value.items()]
    if isinstance(value, list):
        return "list", [_typed(v) for v in value]
    if isinstance(value, (date, datetime)):
        return type(value).__name__, value.isoformat()
    return type(value).__name__, repr(value)


def test_the_files_crmctl_writes_are_read_line_by_line():
    """The fast reader must take what `dump` writes, or the first list after a clone is slow again."""
    record = {"id": "SR-20110125-8HX3D", "title": "Mittari: 'lukema'", "received": date(2011, 1, 25),
              "postal_code": "00100", "meter_reading": 48213, "tags": [], "site": {"street": "Tie 5"},
              "history": [{"at": datetime(2011, 1, 25, 10, 0, tzinfo=timezone(timedelta(hours=2))), "by": "a",
                           "changes": {"priority": [None, "high"]}}]}
    assert _typed(yamlio._read_canonical(yamlio.dump(record))) == _typed(record)
