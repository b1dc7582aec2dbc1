"""Reports read the column index's projections and answer exactly as a full read of every record does.

Each case runs the same `report` twice on the same store, once through the index and once with
CRMCTL_NO_INDEX=1 (every record read whole), and compares stdout, stderr and the exit code: on the demo, and
after records changed behind crmctl's back (a hand edit of the fields and history a report reads, a deleted
file, a file a `git pull` brought, a broken file, a copy of a record in a second folder).
"""

from crmctl.store.store import Store
from conftest import invoke_indexed as invoke, same_indexed_or_not as same

REPORTS = ("calls", "leads", "adoption", "monthly")
RANGE = ("--from", "2010-12", "--to", "2011-03")


def every_report(root, monkeypatch):
    for name in REPORTS:
        for fmt in ("json", "csv", "table"):
            code, out, _ = same(root, monkeypatch, "report", name, *RANGE, "--format", fmt)
            assert code == 0 and out


def request_paths(root):
    return sorted((root / "service-requests").rglob("*.yaml"))


def with_events(text, *events):
    """A record's text with events appended to its history (the last key of a record file)."""
    assert text.rstrip().splitlines()[-1].startswith((" ", "-")), "history is not the last key"
    for event in events:
        lines = [f"{key}: {value}\n" for key, value in event.items()]
        text += "".join(("- " if n == 0 else "  ") + line for n, line in enumerate(lines))
    return text


def with_status_events(text, *moves):
    return with_events(text, *({"at": at, "by": "taija.halme", "event": "status", "from": before, "to": after}
                               for at, before, after in moves))


def test_every_report_is_the_full_reads(demo, monkeypatch):
    every_report(demo, monkeypatch)
    assert (demo / ".cache" / "service-requests.index.sqlite").exists()


def test_after_edits_by_hand_deletions_and_a_pull(demo, monkeypatch):
    every_report(demo, monkeypatch)  # the index is built
    before = {name: same(demo, monkeypatch, "report", name, *RANGE, "--format", "json")[1] for name in REPORTS}
    paths = request_paths(demo)
    done = [p for p in paths if "\nstatus_reason: done\n" in p.read_text(encoding="utf-8")
            and "\nresponded: " in p.read_text(encoding="utf-8")]
    # resolved without `responded`: the day of the last status event to its status counts, not an earlier one
    text = done[0].read_text(encoding="utf-8")
    text = "".join(line for line in text.splitlines(keepends=True) if not line.startswith("responded: "))
    done[0].write_text(with_status_events(text, ("2011-02-21T10:00:00+02:00", "done", "in_progress"),
                                          ("2011-03-02T10:00:00+02:00", "in_progress", "done")), encoding="utf-8")
    # cancelled by hand, with its status event
    text = done[1].read_text(encoding="utf-8").replace("\nstatus_reason: done\n", "\nstatus_reason: cancelled\n")
    done[1].write_text(with_status_events(text, ("2011-03-15T09:00:00+02:00", "done", "cancelled")),
                       encoding="utf-8")
    # another subject, origin and owner
    text = done[2].read_text(encoding="utf-8")
    done[2].write_text(text.replace("\norigin: ", "\norigin: x").replace("\nowner: ", "\nowner: x"),
                       encoding="utf-8")
    done[3].unlink()
    pulled = paths[7].with_name("SR-20110215-ZZZZZ.yaml")  # as if `git pull` brought it
    pulled.write_text(paths[7].read_text(encoding="utf-8").replace(paths[7].stem, pulled.stem), encoding="utf-8")
    lead = sorted((demo / "leads").rglob("*.yaml"))[0]  # handled, then (by hand) handled without action
    text = lead.read_text(encoding="utf-8").replace("\nstatus: handled\n", "\nstatus: handled_no_action\n")
    lead.write_text(with_status_events(text, ("2011-03-30T09:00:00+03:00", "handled", "handled_no_action")),
                    encoding="utf-8")
    # a comment in December by someone else, then one in March by the same person: both months count
    text = paths[9].read_text(encoding="utf-8")
    paths[9].write_text(with_events(text, {"at": "2010-12-30T09:00:00+02:00", "by": "pekka.perala", "event": "comment"},
                                    {"at": "2011-03-30T09:00:00+03:00", "by": "pekka.perala", "event": "comment"}),
                        encoding="utf-8")
    project = sorted((demo / "sales-projects").rglob("*.yaml"))[0]  # lost by hand, a stage completed later
    text = project.read_text(encoding="utf-8").replace("\nstatus: open\n", "\nstatus: lost\nclosed: 2011-03-15\n")
    project.write_text(text.replace("completed: 2011-02-14", "completed: 2011-03-14"), encoding="utf-8")
    every_report(demo, monkeypatch)
    after = {name: same(demo, monkeypatch, "report", name, *RANGE, "--format", "json")[1] for name in REPORTS}
    assert all(after[name] != before[name] for name in REPORTS)


def test_a_copy_in_a_second_folder_and_a_broken_file(demo, monkeypatch):
    every_report(demo, monkeypatch)
    paths = request_paths(demo)
    stray = demo / "service-requests" / "2010" / "12" / paths[2].name  # a second copy: counted once, warned about
    stray.parent.mkdir(parents=True)
    stray.write_text(paths[2].read_text(encoding="utf-8").replace("subject: ", "subject: x"), encoding="utf-8")
    paths[4].write_text("id: [unclosed\n", encoding="utf-8")
    code, out, err = same(demo, monkeypatch, "report", "calls", *RANGE, "--format", "json")
    assert paths[2].name in err and paths[4].name in err
    every_report(demo, monkeypatch)


def test_reports_read_projections_not_whole_records(demo, monkeypatch):
    """Through the index, the reports that name what they read never load a whole record."""
    expected = {name: invoke(demo, monkeypatch, ("report", name, *RANGE, "--format", "json"), False)
                for name in REPORTS}

    def whole_records(*_):
        raise AssertionError("read whole records")

    monkeypatch.setattr(Store, "_load_all", whole_records)
    for name in REPORTS:
        assert invoke(demo, monkeypatch, ("report", name, *RANGE, "--format", "json"), True) == expected[name]


def test_a_first_report_after_a_clone_shows_the_index_build_as_a_first_list_does(demo, monkeypatch):
    """The index a first report builds takes as long as a first list's: the same progress bar on a terminal
    (cli/generic.progress_bar, which draws nothing off a terminal), here called back for every type read."""
    import crmctl.cli.generic as generic
    from crmctl.store import index

    monkeypatch.setattr(index, "PROGRESS_AFTER", 0)
    monkeypatch.setattr(index, "PARALLEL_FROM", 10)
    shown = []
    monkeypatch.setattr(generic, "progress_bar",
                        lambda env, rtype: lambda done, total: shown.append((rtype.key, done, total)))
    code, _out, _err = invoke(demo, monkeypatch, ["report", "calls", *RANGE], indexed=True)
    assert code == 0
    requests = len(list((demo / "service-requests").rglob("*.yaml")))
    assert ("service_request", requests, requests) in shown and shown[-1] == ("service_request", None, requests)
