"""The three-way merge of one record (crmctl/team/merge.py): every rule of cli.md's "Merge of one record",
and properties over random edits of real records from the demo store."""

import copy
import random
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from crmctl.kernel import yamlio
from crmctl.team.merge import MISSING, merge_records, path_text

RECORDS = Path(__file__).resolve().parents[2] / "records"
SR = RECORDS / "service-requests/2011/03/SR-20110303-AFFYQ.yaml"
PROJECT = RECORDS / "sales-projects/2011/03/PRJ-20110303-EBPPJ.yaml"
HKI = timezone(timedelta(hours=2))


def load(path):
    return yamlio.load(path.read_text(encoding="utf-8"))


@pytest.fixture
def sr():
    return load(SR)


@pytest.fixture
def project():
    return load(PROJECT)


def at(day, hour, minute=0):
    return datetime(2011, 3, day, hour, minute, tzinfo=HKI)


def edited(record, **changes):
    copied = copy.deepcopy(record)
    for key, value in changes.items():
        if value is MISSING:
            copied.pop(key, None)
        else:
            copied[key] = value
    return copied


def event(when, by, name, **data):
    return {"at": when, "by": by, "event": name, **data}


# -- fields ------------------------------------------------------------------


def test_different_fields_take_each_sides_change(sr):
    result = merge_records(sr, edited(sr, priority="high"), edited(sr, satisfaction=5))
    assert result.clean
    assert result.record == edited(sr, priority="high", satisfaction=5)


def test_the_same_change_on_both_sides_is_taken_once(sr):
    result = merge_records(sr, edited(sr, priority="high"), edited(sr, priority="high"))
    assert result.clean and result.record["priority"] == "high"


def test_different_changes_of_one_field_are_a_conflict_and_the_record_keeps_ours(sr):
    result = merge_records(sr, edited(sr, priority="high"), edited(sr, priority="low", satisfaction=5))
    assert result.conflicts == [(("priority",), "high", "low")]
    assert result.record == edited(sr, priority="high", satisfaction=5)


def test_a_field_deleted_on_one_side_and_unchanged_on_the_other_is_deleted(sr):
    result = merge_records(sr, edited(sr, satisfaction=MISSING), edited(sr, priority="high"))
    assert result.clean and "satisfaction" not in result.record and result.record["priority"] == "high"


def test_a_field_deleted_on_one_side_and_changed_on_the_other_is_a_conflict(sr):
    result = merge_records(sr, edited(sr, satisfaction=MISSING), edited(sr, satisfaction=4))
    assert result.conflicts == [(("satisfaction",), MISSING, 4)]
    assert "satisfaction" not in result.record


def test_a_field_added_on_one_side_keeps_its_place_among_the_keys(sr):
    base = edited(sr, satisfaction=MISSING)
    result = merge_records(base, edited(base, priority="high"), sr)
    assert list(result.record) == list(sr)


def test_nested_objects_merge_key_by_key(sr):
    ours = edited(sr, site={**sr["site"], "address": "Hämeentie 28"})
    theirs = edited(sr, site={**sr["site"], "meter_number": "M3000999"})
    result = merge_records(sr, ours, theirs)
    assert result.clean
    assert result.record["site"] == {**sr["site"], "address": "Hämeentie 28", "meter_number": "M3000999"}


def test_a_nested_conflict_names_only_the_nested_key(sr):
    ours = edited(sr, site={**sr["site"], "address": "Hämeentie 28"})
    theirs = edited(sr, site={**sr["site"], "address": "Hämeentie 30"})
    result = merge_records(sr, ours, theirs)
    assert [(path_text(p), o, t) for p, o, t in result.conflicts] == [("site.address", "Hämeentie 28", "Hämeentie 30")]


def test_a_record_added_on_both_sides_merges_from_an_empty_base(sr):
    assert merge_records(None, sr, copy.deepcopy(sr)).record == sr
    result = merge_records(None, sr, edited(sr, priority="high"))
    assert result.conflicts == [(("priority",), "normal", "high")]


# -- project stages ------------------------------------------------------------


def stage(record, key):
    return next(s for s in record["stages"] if s["key"] == key)


def test_stages_merge_stage_by_stage_and_field_by_field(project):
    ours = copy.deepcopy(project)
    stage(ours, "offer").update(status="done", completed=date(2011, 3, 20))
    stage(ours, "contract_sent").update(status="in_progress", owner="jussi.myyja", started=date(2011, 3, 20))
    theirs = copy.deepcopy(project)
    stage(theirs, "offer")["due"] = date(2011, 3, 28)
    stage(theirs, "billing_activated")["owner"] = "mette.murto"
    result = merge_records(project, ours, theirs)
    assert result.clean
    assert stage(result.record, "offer") == {"key": "offer", "status": "done", "owner": "jussi.myyja",
                                             "started": date(2011, 3, 11), "due": date(2011, 3, 28),
                                             "completed": date(2011, 3, 20)}
    assert stage(result.record, "contract_sent")["status"] == "in_progress"
    assert stage(result.record, "billing_activated")["owner"] == "mette.murto"
    assert [s["key"] for s in result.record["stages"]] == [s["key"] for s in project["stages"]]


def test_a_stage_field_changed_differently_is_a_conflict_named_by_the_stage_key(project):
    ours, theirs = copy.deepcopy(project), copy.deepcopy(project)
    stage(ours, "offer")["owner"] = "mette.murto"
    stage(theirs, "offer")["owner"] = "taija.halme"
    result = merge_records(project, ours, theirs)
    assert [(path_text(p), o, t) for p, o, t in result.conflicts] == [
        ("stages.offer.owner", "mette.murto", "taija.halme")]


def test_a_stage_added_on_one_side_lands_after_the_stage_it_follows_there(project):
    theirs = copy.deepcopy(project)
    theirs["stages"].insert(2, {"key": "site_visit", "status": "not_started"})
    ours = edited(project, value=60000)
    result = merge_records(project, ours, theirs)
    assert [s["key"] for s in result.record["stages"]] == [s["key"] for s in theirs["stages"]]
    assert result.record["value"] == 60000


# -- history -------------------------------------------------------------------


def test_history_is_the_union_of_both_sides_in_time_order(sr):
    mine = event(at(4, 9), "mette.murto", "changed", changes={"priority": ["normal", "high"]})
    yours = event(at(4, 8), "taija.halme", "changed", changes={"satisfaction": [2, 5]})
    ours = edited(sr, priority="high", history=sr["history"] + [mine])
    theirs = edited(sr, satisfaction=5, history=sr["history"] + [yours])
    result = merge_records(sr, ours, theirs)
    assert result.clean
    assert result.record["history"] == sr["history"] + [yours, mine]


def test_equal_times_keep_base_then_ours_then_theirs_and_a_shared_event_once(sr):
    same = event(at(4, 9), "mette.murto", "acknowledged")
    mine = event(at(4, 9), "mette.murto", "changed", changes={"priority": ["normal", "high"]})
    yours = event(at(4, 9), "taija.halme", "changed", changes={"satisfaction": [2, 5]})
    ours = edited(sr, history=sr["history"] + [same, mine])
    theirs = edited(sr, history=sr["history"] + [yours, same])
    assert merge_records(sr, ours, theirs).record["history"] == sr["history"] + [same, mine, yours]


def test_times_with_different_offsets_sort_as_instants(sr):
    utc = event(datetime(2011, 3, 4, 6, 30, tzinfo=timezone.utc), "a", "x")  # 08:30 in Helsinki
    hki = event(at(4, 8), "b", "y")
    ours = edited(sr, history=sr["history"] + [utc])
    theirs = edited(sr, history=sr["history"] + [hki])
    assert merge_records(sr, ours, theirs).record["history"][-2:] == [hki, utc]


def test_an_event_one_side_rewrote_is_not_brought_back(sr):
    erased = copy.deepcopy(sr["history"])
    erased[1]["changes"]["resolution"] = ["[erased]", "[erased]"]
    ours = edited(sr, resolution=MISSING, history=erased + [event(at(5, 9), "mette.murto", "erased")])
    theirs = edited(sr, priority="high", history=sr["history"] + [event(at(4, 9), "taija.halme", "changed")])
    history = merge_records(sr, ours, theirs).record["history"]
    assert sr["history"][1] not in history and erased[1] in history and len(history) == 4


# -- assignments -----------------------------------------------------------------


def assignment(user, when, **extra):
    return {"user": user, "reason": "delegated", "by": "mette.murto", "at": when, **extra}


def test_assignments_added_on_both_sides_are_both_kept_in_time_order(project):
    late, early = assignment("taija.halme", at(20, 9)), assignment("jussi.myyja", at(19, 9))
    ours = edited(project, assignments=project["assignments"] + [late])
    theirs = edited(project, assignments=project["assignments"] + [early])
    assert merge_records(project, ours, theirs).record["assignments"] == project["assignments"] + [early, late]


def test_an_acknowledged_or_notified_assignment_stays_so_with_the_earliest_time(project):
    open_one = assignment("taija.halme", at(20, 9))
    base = edited(project, assignments=project["assignments"] + [open_one])
    ours, theirs = copy.deepcopy(base), copy.deepcopy(base)
    ours["assignments"][-1].update(acknowledged=at(21, 10), notified=at(20, 12), notified_to="a@example.com")
    theirs["assignments"][-1].update(acknowledged=at(21, 9), notified=at(20, 11), notified_to="b@example.com")
    result = merge_records(base, ours, theirs)
    assert result.clean
    assert result.record["assignments"][-1] == {**open_one, "acknowledged": at(21, 9), "notified": at(20, 11),
                                                "notified_to": "b@example.com"}


def test_a_notification_taken_back_on_one_side_stays_taken_back(project):
    """notify releases the claim of an email it could not send; the other side, unchanged, must not restore it."""
    base = edited(project, assignments=project["assignments"] + [
        assignment("taija.halme", at(20, 9), notified=at(20, 12), notified_to="taija.halme@example.fi")])
    released, unchanged = copy.deepcopy(base), copy.deepcopy(base)
    del released["assignments"][-1]["notified"], released["assignments"][-1]["notified_to"]
    unchanged["priority"] = "high"
    for ours, theirs in ((released, unchanged), (unchanged, released)):
        result = merge_records(base, ours, theirs)
        assert result.clean
        assert result.record["assignments"][-1] == assignment("taija.halme", at(20, 9))
        assert result.record["priority"] == "high"


def test_an_assignment_closed_on_one_side_and_acknowledged_on_the_other_is_both(project):
    base = edited(project, assignments=project["assignments"] + [assignment("taija.halme", at(20, 9))])
    ours, theirs = copy.deepcopy(base), copy.deepcopy(base)
    ours["assignments"][-1].update(closed=at(22, 9), closed_by="jussi.myyja")
    theirs["assignments"][-1].update(acknowledged=at(21, 9))
    merged = merge_records(base, ours, theirs).record["assignments"][-1]
    assert merged["closed"] == at(22, 9) and merged["closed_by"] == "jussi.myyja"
    assert merged["acknowledged"] == at(21, 9)


def test_other_assignment_fields_merge_three_way(project):
    base = edited(project, assignments=project["assignments"] + [assignment("taija.halme", at(20, 9), due=date(2011, 3, 25))])
    ours, theirs = copy.deepcopy(base), copy.deepcopy(base)
    ours["assignments"][-1]["due"] = date(2011, 3, 28)
    theirs["assignments"][-1]["due"] = date(2011, 3, 30)
    result = merge_records(base, ours, theirs)
    assert [(path_text(p), o, t) for p, o, t in result.conflicts] == [
        ("assignments.2.due", date(2011, 3, 28), date(2011, 3, 30))]


# -- append-only logs ------------------------------------------------------------


def test_a_log_both_sides_appended_to_keeps_base_then_ours_then_theirs(sr):
    base = edited(sr, actions="Soitettu asiakkaalle.")
    ours = edited(base, actions="Soitettu asiakkaalle.\nDelegoitu: Taija Halme (mmu) 2011-03-04")
    theirs = edited(base, actions="Soitettu asiakkaalle.\nLähetetty kirje.\nOdotetaan vastausta.")
    result = merge_records(base, ours, theirs, logs={"actions"})
    assert result.clean
    assert result.record["actions"] == ("Soitettu asiakkaalle.\nDelegoitu: Taija Halme (mmu) 2011-03-04\n"
                                        "Lähetetty kirje.\nOdotetaan vastausta.")


def test_a_log_started_on_both_sides_keeps_ours_then_theirs(sr):
    result = merge_records(sr, edited(sr, actions="A"), edited(sr, actions="B"), logs={"actions"})
    assert result.clean and result.record["actions"] == "A\nB"


def test_a_log_rewritten_on_one_side_is_a_conflict(sr):
    base = edited(sr, actions="Soitettu.")
    result = merge_records(base, edited(base, actions="Soitettu!"), edited(base, actions="Soitettu.\nLisää."),
                           logs={"actions"})
    assert [p for p, _, _ in result.conflicts] == [("actions",)]


def test_a_text_field_that_is_not_a_log_conflicts(sr):
    base = edited(sr, description="Alku.")
    result = merge_records(base, edited(base, description="Alku.\nA"), edited(base, description="Alku.\nB"),
                           logs={"actions"})
    assert [p for p, _, _ in result.conflicts] == [("description",)]


# -- properties over random edits of real records ------------------------------------

USERS = ("mette.murto", "taija.halme", "jussi.myyja", "kalle.kentta")


def random_edit(record, rng):
    """A copy of `record` with a few random changes of the kinds crmctl makes."""
    copied = copy.deepcopy(record)
    for _ in range(rng.randint(1, 4)):
        kind = rng.choice(("field", "delete", "event", "nested", "stage", "assignment", "ack", "log"))
        if kind == "field":
            copied[rng.choice(("priority", "owner", "title", "value", "satisfaction"))] = rng.choice(
                ("high", "low", rng.choice(USERS), rng.randint(1, 5)))
        elif kind == "delete":
            keys = [k for k in copied if k not in ("id", "history", "stages", "assignments")]
            copied.pop(rng.choice(keys), None)
        elif kind == "event":
            when = at(rng.randint(4, 28), rng.randint(8, 17), rng.randint(0, 59))
            copied.setdefault("history", []).append(event(when, rng.choice(USERS), rng.choice(("changed", "x"))))
        elif kind == "nested" and isinstance(copied.get("site"), dict):
            copied["site"][rng.choice(("address", "meter_number", "floor"))] = f"v{rng.randint(1, 9)}"
        elif kind == "stage" and copied.get("stages"):
            rng.choice(copied["stages"])[rng.choice(("owner", "status", "due"))] = rng.choice(
                (rng.choice(USERS), "done", date(2011, 4, rng.randint(1, 28))))
        elif kind == "assignment":
            when = at(rng.randint(4, 28), rng.randint(8, 17), rng.randint(0, 59))
            copied.setdefault("assignments", []).append(assignment(rng.choice(USERS), when))
        elif kind == "ack" and copied.get("assignments"):
            rng.choice(copied["assignments"])["acknowledged"] = at(rng.randint(4, 28), rng.randint(8, 17))
        elif kind == "log":
            copied["actions"] = (copied.get("actions", "") + f"\nline {rng.randint(1, 99)}").lstrip("\n")
    return copied


def cases(count=150):
    for seed in range(count):
        rng = random.Random(seed)
        base = load(rng.choice((SR, PROJECT)))
        yield seed, base, random_edit(base, rng), random_edit(base, rng)


def normal(record):
    """The record with history and assignments in a fixed order: equal times may come in either side's order."""
    copied = copy.deepcopy(record)
    for key in ("history", "assignments"):
        if key in copied:
            copied[key] = sorted(copied[key], key=repr)
    return copied


def test_merging_with_an_unchanged_side_returns_the_other_side():
    for seed, base, ours, theirs in cases():
        assert merge_records(base, base, theirs).record == theirs, seed
        assert merge_records(base, ours, base).record == ours, seed
        assert merge_records(base, ours, copy.deepcopy(base)).clean, seed


def test_merging_a_record_with_itself_returns_it():
    for seed, base, ours, _ in cases():
        result = merge_records(base, ours, copy.deepcopy(ours), logs={"actions"})
        assert result.clean and result.record == ours, seed
        assert merge_records(ours, ours, ours).record == ours, seed


def test_merging_is_symmetric_up_to_the_swap_of_ours_and_theirs():
    for seed, base, ours, theirs in cases():
        one = merge_records(base, ours, theirs, logs={"actions"})
        two = merge_records(base, theirs, ours, logs={"actions"})
        assert sorted((p, repr(t), repr(o)) for p, o, t in one.conflicts) == \
            sorted((p, repr(o), repr(t)) for p, o, t in two.conflicts), seed
        if one.clean and "actions" not in {p[0] for p, _, _ in one.conflicts}:
            if one.record.get("actions") == two.record.get("actions"):
                assert normal(one.record) == normal(two.record), seed


def test_a_clean_merge_keeps_every_change_of_both_sides():
    for seed, base, ours, theirs in cases():
        result = merge_records(base, ours, theirs, logs={"actions"})
        events = {repr(e) for e in result.record.get("history", [])}
        for side in (ours, theirs):
            new = [e for e in side.get("history", []) if e not in base.get("history", [])]
            assert all(repr(e) in events for e in new), seed
        for key in set(ours) | set(theirs):
            if key in ("history", "assignments", "stages", "site", "actions") or not result.clean:
                continue
            if ours.get(key, MISSING) != base.get(key, MISSING):
                assert result.record.get(key, MISSING) == ours.get(key, MISSING), (seed, key)
