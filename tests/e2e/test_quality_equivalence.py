"""`report quality` answers from check's findings cache exactly as reading and validating every record does.

Each case runs `report quality --format json` (whole, and with --from/--to) through the cache and with
CRMCTL_NO_INDEX=1 (the plain path) on the same store and compares the output, also after records changed
behind crmctl's back: an edit by hand, a deleted file, a file a `git pull` brought (an old mtime), duplicates
of unique values, probable duplicate customers, errors, a broken file, a copy in a second folder.
"""

import json
import os
import shutil

from crmctl.checks import record_scan
from crmctl.engine.rules import Engine
from conftest import invoke_indexed as invoke

WINDOWS = [(), ("--from", "2011-02", "--to", "2011-02"), ("--from", "2011-03"), ("--to", "2011-01")]


def same(root, monkeypatch):
    """The cached answers for every window; asserts each is the plain path's answer."""
    answers = []
    for window in WINDOWS:
        args = ("--format", "json", "report", "quality", *window)
        cached = invoke(root, monkeypatch, args, True)
        assert cached[0] == 0, cached
        assert cached == invoke(root, monkeypatch, args, False), window
        answers.append(json.loads(cached[1]))
    return answers


def files(root, folder):
    return sorted((root / folder).rglob("*.yaml"))


def write_like(source, target, replace=()):
    """A copy of a record file under another id, with the given (old, new) replacements."""
    text = source.read_text(encoding="utf-8").replace(source.stem, target.stem)
    for old, new in replace:
        text = text.replace(old, new)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


def test_the_demo_and_its_changes_by_hand(demo, monkeypatch):
    first = same(demo, monkeypatch)[0]
    assert (demo / ".cache" / "check.sqlite").exists()
    customers = files(demo, "customers")
    # a probable duplicate (same name and phone) that also repeats a unique customer number: an error
    twin = write_like(customers[0], customers[0].with_name("CUST-20110215-TWNN1.yaml"))
    # an error of its own: a required field gone
    requests = files(demo, "service-requests")
    text = requests[3].read_text(encoding="utf-8")
    requests[3].write_text("\n".join(line for line in text.splitlines() if not line.startswith("subject:")) + "\n",
                           encoding="utf-8")
    requests[5].unlink()
    pulled = write_like(requests[7], requests[7].with_name("SR-20110215-ZZZZZ.yaml"),
                        [("customer: CUST-", "customer: CUST-GENERAL\nx_customer: CUST-")])
    os.utime(pulled, (1_000_000_000, 1_000_000_000))  # git keeps no mtimes: an old one must not hide the file
    requests[9].write_text("id: [unclosed\n", encoding="utf-8")
    stray = demo / "service-requests" / "2010" / "12" / requests[11].name  # a second copy: counted once
    write_like(requests[11], stray, [("subject: ", "subject: x")])
    second = same(demo, monkeypatch)[0]
    assert second != first
    customer = second["types"]["customer"]
    assert customer["records"] == first["types"]["customer"]["records"] + 1
    assert customer["violations"] >= 2  # the twin and the record it repeats
    assert any(twin.stem in entry["ids"] for entry in second["duplicates"])
    assert second["types"]["service_request"]["violations"] > first["types"]["service_request"]["violations"]
    requests[3].write_text(text, encoding="utf-8")  # edited back: the counts return
    twin.unlink()
    assert same(demo, monkeypatch)[0]["types"]["customer"] == first["types"]["customer"]


def test_a_warm_report_validates_no_record(demo, monkeypatch):
    """What check cached is read, not computed again (the point of the cache); a changed file is examined."""
    expected = same(demo, monkeypatch)
    invoke(demo, monkeypatch, ("check",), True)
    calls = []
    original = Engine.validate

    def counted(self, rtype, record):
        calls.append(record.get("id"))
        return original(self, rtype, record)

    monkeypatch.setattr(Engine, "validate", counted)
    args = ("--format", "json", "report", "quality")
    assert json.loads(invoke(demo, monkeypatch, args, True)[1]) == expected[0]
    assert calls == []
    edited = files(demo, "service-requests")[2]
    edited.write_text(edited.read_text(encoding="utf-8").replace("\nsubject: ", "\nsubject: x"), encoding="utf-8")
    invoke(demo, monkeypatch, args, True)
    assert calls == [edited.stem]


def test_check_output_is_unchanged_by_a_report_first(demo, monkeypatch):
    """The report fills the cache check reads: check says the same with it as without it."""
    requests = files(demo, "service-requests")
    requests[1].write_text("id: [unclosed\n", encoding="utf-8")
    plain = invoke(demo, monkeypatch, ("check",), True)
    shutil.rmtree(demo / ".cache")
    same(demo, monkeypatch)
    assert invoke(demo, monkeypatch, ("check",), True) == plain


def test_a_report_in_another_language_uses_checks_cache_as_it_is(demo, monkeypatch):
    """The report reads no message: check's findings in Finnish serve a report in English, and neither run
    empties the cache for the other (rebuilding it examines every file)."""
    invoke(demo, monkeypatch, ("--lang", "fi", "check"), True)
    examined = []
    original = record_scan.examine
    monkeypatch.setattr(record_scan, "examine", lambda *args, **kw: examined.append(args[3]) or original(*args, **kw))
    for lang in ("en", "fi"):
        args = ("--lang", lang, "--format", "json", "report", "quality")
        assert invoke(demo, monkeypatch, args, True) == invoke(demo, monkeypatch, args, False)
    plain = invoke(demo, monkeypatch, ("--lang", "fi", "check"), True)
    assert examined == []
    assert "suositeltava" in plain[1] or plain[1] == ""
