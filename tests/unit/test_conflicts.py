"""Conflicts in a record file (crmctl/team/conflicts.py): written between git's markers around only the field,
read back as (field, ours, theirs), settled by a side or by values."""

import copy
from datetime import date

import pytest

from crmctl.kernel import yamlio
from crmctl.kernel.errors import CrmError
from crmctl.team.conflicts import conflicts_in, has_markers, render, settle, shown
from crmctl.team.merge import MISSING, merge_records
from test_merge import PROJECT, SR, cases, load, stage


def merged_text(base, ours, theirs):
    result = merge_records(base, ours, theirs)
    return result, render(result.record, result.conflicts)


@pytest.fixture
def sr():
    return load(SR)


def test_a_conflicting_field_stands_alone_between_the_markers(sr):
    ours, theirs = dict(sr, priority="high"), dict(sr, priority="low", satisfaction=5)
    _, text = merged_text(sr, ours, theirs)
    assert "<<<<<<< ours\npriority: high\n=======\npriority: low\n>>>>>>> theirs\nservice_method:" in text
    assert text.replace("<<<<<<< ours\npriority: high\n=======\npriority: low\n>>>>>>> theirs\n", "priority: high\n") \
        == yamlio.dump(dict(ours, satisfaction=5))
    assert conflicts_in(text) == [("priority", "high", "low")]


def test_a_nested_field_keeps_its_indentation(sr):
    ours = dict(sr, site={**sr["site"], "address": "A 1"})
    theirs = dict(sr, site={**sr["site"], "address": "B 2"})
    _, text = merged_text(sr, ours, theirs)
    assert "site:\n<<<<<<< ours\n  address: A 1\n=======\n  address: B 2\n>>>>>>> theirs\n  postal_code:" in text
    assert conflicts_in(text) == [("site.address", "A 1", "B 2")]


def test_a_stage_field_and_a_multi_line_text_and_a_missing_side():
    project = load(PROJECT)
    ours, theirs = copy.deepcopy(project), copy.deepcopy(project)
    stage(ours, "offer")["owner"] = "mette.murto"
    stage(theirs, "offer")["owner"] = "taija.halme"
    del ours["description"]
    theirs["description"] = "Rivi 1\nRivi 2"
    _, text = merged_text(project, ours, theirs)
    assert "- key: offer\n  status: not_started\n<<<<<<< ours\n  owner: mette.murto\n=======\n" \
           "  owner: taija.halme\n>>>>>>> theirs\n" in text
    assert "<<<<<<< ours\n=======\ndescription: |-\n  Rivi 1\n  Rivi 2\n>>>>>>> theirs\n" in text
    assert conflicts_in(text) == [("stages.offer.owner", "mette.murto", "taija.halme"),
                                  ("description", MISSING, "Rivi 1\nRivi 2")]


def test_a_file_without_markers_has_no_conflicts(sr):
    assert conflicts_in(yamlio.dump(sr)) == [] and not has_markers(yamlio.dump(sr))


def test_settling_with_a_side_gives_that_sides_value_for_every_conflict(sr):
    ours = dict(sr, priority="high", site={**sr["site"], "address": "A 1"})
    theirs = dict(sr, priority="low", site={**sr["site"], "address": "B 2"}, satisfaction=5)
    result, text = merged_text(sr, ours, theirs)
    assert settle(text, "ours") == yamlio.dump(result.record)
    assert yamlio.load(settle(text, "theirs")) == dict(theirs)


def test_settling_with_values_and_a_side_for_the_rest(sr):
    ours = dict(sr, priority="high", site={**sr["site"], "address": "A 1"})
    theirs = dict(sr, priority="low", site={**sr["site"], "address": "B 2"})
    _, text = merged_text(sr, ours, theirs)
    settled = yamlio.load(settle(text, {"site.address": "C 3"}, rest="theirs"))
    assert settled["site"]["address"] == "C 3" and settled["priority"] == "low"
    assert not has_markers(settle(text, {"site.address": "C 3", "priority": "urgent"}))
    assert "priority" not in yamlio.load(settle(text, {"priority": None}, rest="ours"))


def test_every_conflict_needs_a_value_or_a_side(sr):
    _, text = merged_text(sr, dict(sr, priority="high", satisfaction=1), dict(sr, priority="low", satisfaction=4))
    with pytest.raises(CrmError) as caught:
        settle(text, {"priority": "high"})
    assert caught.value.code == "conflicts.unsettled" and caught.value.params["fields"] == "satisfaction"
    with pytest.raises(CrmError) as caught:
        settle(text, {"title": "x"}, rest="ours")
    assert caught.value.code == "conflicts.not_conflicting"


def test_gits_own_text_markers_settle_by_side_but_are_not_read_as_fields():
    text = "id: X\n<<<<<<< ours\na: 1\nb: 2\n=======\nc: 3\n>>>>>>> theirs\n"
    assert settle(text, "ours") == "id: X\na: 1\nb: 2\n" and settle(text, "theirs") == "id: X\nc: 3\n"
    with pytest.raises(CrmError) as caught:
        conflicts_in(text)
    assert caught.value.code == "conflicts.unreadable" and caught.value.params["line"] == 2


def test_values_are_shown_on_one_line():
    assert shown(MISSING, "en") == "(none)" and shown(MISSING, "fi") == "(ei arvoa)"
    assert shown("a\nb", "en") == "a ⏎ b" and shown(date(2011, 3, 4), "en") == "2011-03-04"
    assert shown({"a": 1}, "en") == '{"a": 1}'


def test_every_random_merge_reads_back_and_settles_to_each_side():
    for seed, base, ours, theirs in cases(100):
        result, text = merged_text(base, ours, theirs)
        found = conflicts_in(text)
        assert [(f, repr(o), repr(t)) for f, o, t in found] == \
            [(".".join(map(str, p)), repr(o), repr(t)) for p, o, t in result.conflicts], seed
        assert yamlio.load(settle(text, "ours")) == result.record, seed
        if result.conflicts:
            mine = copy.deepcopy(result.record)
            for field, _, theirs_value in found:
                part = mine
                *parents, last = field.split(".")
                for name in parents:
                    part = _item(part, name)
                if theirs_value is MISSING:
                    part.pop(last, None)
                else:
                    part[last] = theirs_value
            assert yamlio.load(settle(text, "theirs")) == mine, seed


def _item(container, name):
    """The part of a record a conflict's dotted field names: a key, a stage's key, or a list position."""
    if isinstance(container, dict):
        return container[name]
    keyed = [item for item in container if isinstance(item, dict) and item.get("key") == name]
    return keyed[0] if keyed else container[int(name)]


def test_a_conflict_inside_an_object_the_record_lacks_is_still_marked(sr):
    record = {key: value for key, value in sr.items() if key != "site"}
    text = render(record, [(("site", "meter_number"), MISSING, "M1")])
    assert "site:\n<<<<<<< ours\n=======\n  meter_number: M1\n>>>>>>> theirs\n" in text
    assert conflicts_in(text) == [("site.meter_number", MISSING, "M1")]
