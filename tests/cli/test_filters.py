"""Filters that cannot match are errors naming what is wrong (issue 11 item 14)."""

import pytest

from conftest import new_request

BAD = {
    "unknown field": (["bogus=1"], "bogus"),
    "unknown enumerated value": (["subject=nope"], "nope"),
    "one of several values unknown": (["subject=billing,nope"], "nope"),
    "invalid date": (["received<2011-13-01"], "2011-13-01"),
    "invalid date of a derived key": (["due<2011-02-30"], "2011-02-30"),
    "not a number": (["severity>=high"], "high"),
}


@pytest.mark.parametrize("name", BAD)
def test_filter_that_cannot_match_is_an_error_naming_it(run, name):
    new_request(run)
    filters, word = BAD[name]
    for args in (["sr", "list", *filters], ["export", "sr", *filters]):
        result = run("--lang", "en", *args)
        assert result.exit_code == 1, (args, result.output)
        assert result.stdout == ""
        assert result.stderr.startswith("Error: ") and word in result.stderr, result.stderr
        assert "internal error" not in result.stderr


def test_good_filters_still_work(run):
    record_id = new_request(run)
    for flt in ("subject=billing", "subject=Laskutus", "received<2011-02-01", "received>=2011-01-25", "owner=me",
                "title~lasku", "status_reason!=", "due>2011-01-01", "priority=normal,high", "overdue=false"):
        result = run("sr", "list", "-q", flt)
        assert result.exit_code == 0, (flt, result.output)
        assert result.stdout == f"{record_id}\n", flt
