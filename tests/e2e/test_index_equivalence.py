"""The column index answers lists, views and `show PREFIX` exactly as a full read of every record does.

Each case runs the same command twice on the same store, once through the index and once with
CRMCTL_NO_INDEX=1, and compares stdout, stderr and the exit code, also after the records changed behind
crmctl's back (edits by hand, deletions, files a `git pull` brought, a copy of a record in a second folder,
a broken file) and after a change of the SLA targets that `due` depends on.
"""

from crmctl.store.store import Store
from conftest import invoke_indexed as invoke, same_indexed_or_not as same


def commands(root):
    """Every view of every type with a `list`, plain lists, filters of every kind, and several formats."""
    store = Store(root)
    ids = [path.stem for path in request_paths(root)]
    found = []
    for command, key in (("sr", "service_request"), ("customer", "customer")):
        rtype = store.config.types[key]
        found += [(command, "list", "--view", view) for view in rtype.views]
        found += [(command, "list"), (command, "list", "-q"), (command, "list", "--format", "csv"),
                  (command, "list", "--lang", "en", "--format", "md"), (command, "list", "--format", "json"),
                  (command, "list", "--format", "yaml", "--reveal")]
    found += [
        ("sr", "list", "subject=meter_reading", "--view", "unresolved"),
        ("sr", "list", "subject=meter_reading,billing", "--format", "json"),
        ("sr", "list", "status_reason=resolved,done", "--format", "yaml"),
        ("sr", "list", "status_reason!=resolved"),
        ("sr", "list", "received>=2011-02-15", "received<2011-03-01"),
        ("sr", "list", "received=2011-02-15"),
        ("sr", "list", "owner=me"),
        ("sr", "list", "title~mittari"),
        ("sr", "list", "description~lasku"),  # a long text: the full read answers
        ("sr", "list", "overdue=true", "--format", "jsonl"),
        ("sr", "list", "due<2011-03-01", "--format", "csv"),
        ("sr", "list", "state=active", "created_by=mette.murto"),
        ("sr", "list", "customer=CUST-GENERAL"),
        ("sr", "list", f"id={ids[0]},{ids[3]}", "--format", "csv"),  # the id column prefilters
        ("sr", "list", f"id={ids[1]}", "subject=meter_reading,billing,callback"),
        ("sr", "list", "id=SR-19990101-XXXXX"),
        ("sr", "list", "subject!=meter_reading,billing", "billing_recorded="),
        ("sr", "list", "billing_recorded!=", "--format", "csv"),
        ("sr", "list", f"id!={ids[0]}", "-q"),
        ("sr", "list", "unacknowledged=true"), ("sr", "list", "unacknowledged!=true", "-q"),
        ("sr", "list", "unacknowledged=FALSE", "-q"), ("sr", "list", "unacknowledged=maybe"),
        ("sr", "list", "created_by=me", "state=active"), ("sr", "list", "created_at=2011-02-15", "-q"),
        ("sr", "list", "updated_at!=2011-03-31", "created_by!=mette.murto,sanna.salo", "-q"),
        ("sr", "list", "state=", "-q"), ("sr", "list", "state!=closed,active", "-q"),
        ("sr", "list", "subject=nope"),  # refused alike
        ("customer", "list", "kind=business", "--format", "csv"),
    ]
    return found


def test_every_list_and_view_is_the_full_reads(demo, monkeypatch):
    for args in commands(demo):
        same(demo, monkeypatch, *args)
    assert list((demo / ".cache").glob("*.index.sqlite"))


def request_paths(root):
    return sorted((root / "service-requests").rglob("*.yaml"))


def test_after_edits_by_hand_deletions_and_a_pull(demo, monkeypatch):
    same(demo, monkeypatch, "sr", "list")  # the index is built
    paths = request_paths(demo)
    edited = next(p for p in paths if "\nsubject: billing\n" in p.read_text(encoding="utf-8"))
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("\nsubject: billing\n", "\nsubject: meter_reading\nmeter_reading: 4242\n"),
                      encoding="utf-8")
    listed = next(p for p in paths if "\nsubject: meter_reading\n" in p.read_text(encoding="utf-8"))
    listed.write_text(listed.read_text(encoding="utf-8").replace(  # no text column: the Python filter decides
        "\nsubject: meter_reading\n", "\nsubject:\n- billing\n- meter_reading\n"), encoding="utf-8")
    paths[5].unlink()
    pulled = paths[7].with_name("SR-20110215-ZZZZZ.yaml")  # the folder is the id's month; any file of it will do
    pulled.parent.mkdir(parents=True, exist_ok=True)
    pulled.write_text(paths[7].read_text(encoding="utf-8").replace(paths[7].stem, pulled.stem), encoding="utf-8")
    for args in [("sr", "list"), ("sr", "list", "subject=meter_reading", "--view", "unresolved"),
                 ("sr", "list", "--view", "meter_readings"), ("sr", "list", "-q", "received>=2011-02-15"),
                 ("sr", "list", "-q", "subject=billing,meter_reading", "status_reason=resolved,done"),
                 ("sr", "list", "-q", "subject=meter_reading", "received=2011-02-15,2011-02-16"),
                 ("sr", "list", "-q", "subject!=billing"), ("sr", "list", "-q", "subject="),
                 ("sr", "list", "-q", "subject!="), ("sr", "list", "--format", "json"),
                 ("sr", "list", "--view", "resolved", "--format", "csv")]:
        code, out, _ = same(demo, monkeypatch, *args)
        assert code == 0
    # an open assignment: `unacknowledged` is true, and its column says so
    delegated = same(demo, monkeypatch, "sr", "list", "-q", "--view", "unresolved")[1].split()[0]
    monkeypatch.setenv("CRMCTL_USER", "mette.murto")
    assert invoke(demo, monkeypatch, ("sr", "delegate", delegated, "sanna.salo"), True)[0] == 0
    assert same(demo, monkeypatch, "sr", "list", "-q", "unacknowledged=true")[1] == f"{delegated}\n"
    assert delegated not in same(demo, monkeypatch, "sr", "list", "-q", "unacknowledged=false")[1]
    assert paths[5].stem not in same(demo, monkeypatch, "sr", "list", "-q")[1]
    assert pulled.stem in same(demo, monkeypatch, "sr", "list", "-q")[1]
    assert edited.stem in same(demo, monkeypatch, "sr", "list", "-q", "subject=meter_reading")[1]


def test_a_copy_in_a_second_folder_and_a_broken_file(demo, monkeypatch):
    paths = request_paths(demo)
    same(demo, monkeypatch, "sr", "list")
    stray = demo / "service-requests" / "2010" / "12" / paths[2].name  # a second copy: listed once, warned about
    stray.parent.mkdir(parents=True)
    stray.write_text(paths[2].read_text(encoding="utf-8").replace("subject: ", "subject: x"), encoding="utf-8")
    paths[4].write_text("id: [unclosed\n", encoding="utf-8")
    paths[6].write_text("- a list, not a record\n", encoding="utf-8")
    paths[8].write_text(paths[8].read_text(encoding="utf-8").replace(paths[8].stem, paths[9].stem), encoding="utf-8")
    paths[11].write_bytes(b"id: " + paths[11].stem.encode() + b"\ntitle: \xff\n")  # not UTF-8
    for args in [("sr", "list"), ("sr", "list", "-q", "subject=meter_reading"), ("sr", "list", "--view", "resolved"),
                 ("sr", "list", "-q"),  # -q alone reads ids only
                 ("sr", "list", "--format", "json"), ("sr", "list", "--view", "resolved", "--format", "yaml"),
                 ("sr", "list", "--format", "csv")]:  # whole records read again by path, rows streamed
        code, out, err = same(demo, monkeypatch, *args)
        assert all(paths[n].name in err for n in (2, 4, 6, 8, 11))
    assert same(demo, monkeypatch, "sr", "list", "-q")[1].count(paths[2].stem) == 1


def test_a_damaged_history_does_not_stop_the_index(demo, monkeypatch):
    """A history that is not a list, and no `received`: `due` and the derived columns cannot be computed when the
    file is indexed; a list that does not read them answers all the same (what reads them fails as a full read
    does)."""
    path = request_paths(demo)[12]
    damaged = path.read_text(encoding="utf-8").split("history:")[0] + "history: {a: 1}\n"
    path.write_text("".join(line + "\n" for line in damaged.splitlines() if not line.startswith("received:")),
                    encoding="utf-8")
    for args in [("sr", "list", "-q", "subject=meter_reading"), ("sr", "list", "-q", f"id={path.stem}"),
                 ("sr", "list", "-q")]:
        assert same(demo, monkeypatch, *args)[0] == 0
    assert path.stem in same(demo, monkeypatch, "sr", "list", "-q")[1]


def test_a_changed_sla_configuration_changes_due(demo, monkeypatch):
    before = same(demo, monkeypatch, "sr", "list", "--view", "unresolved", "--format", "csv")[1]
    sla = demo / "config" / "sla.yaml"
    sla.write_text(sla.read_text(encoding="utf-8").replace("working_days: 3", "working_days: 30"), encoding="utf-8")
    after = same(demo, monkeypatch, "sr", "list", "--view", "unresolved", "--format", "csv")[1]
    assert after != before


def test_a_deleted_or_damaged_index_is_rebuilt(demo, monkeypatch):
    first = same(demo, monkeypatch, "sr", "list", "--view", "unresolved")
    index = demo / ".cache" / "service-requests.index.sqlite"
    index.unlink()
    assert same(demo, monkeypatch, "sr", "list", "--view", "unresolved") == first
    index.write_bytes(b"not a database at all" * 100)
    assert same(demo, monkeypatch, "sr", "list", "--view", "unresolved") == first


def test_show_prefix(demo, monkeypatch):
    full = request_paths(demo)[10].stem
    shown = same(demo, monkeypatch, "sr", "show", full[:-2].lower())
    assert shown[0] == 0 and full in shown[1]
    assert same(demo, monkeypatch, "sr", "show", full) == shown
    assert same(demo, monkeypatch, "sr", "show", "SR-2011")[0] == 1  # ambiguous, alike
    assert same(demo, monkeypatch, "sr", "show", "SR-19990101")[0] == 1  # no match, alike


def test_show_prefix_of_a_month_lists_only_that_months_folder(demo, monkeypatch):
    """`show SR-20110104-K` looks in service-requests/2011/01 only: not every file of the type."""
    full = request_paths(demo)[10].stem

    def every_file(*_):
        raise AssertionError("listed every record file")

    monkeypatch.setattr(Store, "record_paths", every_file)
    monkeypatch.setattr("crmctl.store.index.scan", every_file)
    code, out, _ = invoke(demo, monkeypatch, ("sr", "show", full[:-2]), True)
    assert code == 0 and full in out


def test_projections_read_a_few_at_a_time(demo, monkeypatch):
    """A list keeping a little of each record reads the projections a chunk of paths at a time: with chunks of
    three, across a second copy of an id (read in the first copy's place) and files that cannot be read."""
    monkeypatch.setattr("crmctl.engine.listing.CHUNK", 3)
    paths = request_paths(demo)
    same(demo, monkeypatch, "sr", "list")
    stray = demo / "service-requests" / "2010" / "12" / paths[2].name
    stray.parent.mkdir(parents=True)
    stray.write_text(paths[2].read_text(encoding="utf-8").replace("subject: ", "subject: x"), encoding="utf-8")
    later = demo / "service-requests" / "2099" / "12" / paths[3].name  # the copy after the id's own path
    later.parent.mkdir(parents=True)
    later.write_text(paths[3].read_text(encoding="utf-8"), encoding="utf-8")
    paths[4].write_text("id: [unclosed\n", encoding="utf-8")
    for args in [("sr", "list"), ("sr", "list", "--view", "resolved", "--format", "csv"),
                 ("sr", "list", "--format", "json"), ("sr", "list", "subject=meter_reading", "--format", "md"),
                 ("report", "calls", "--from", "2011-01", "--to", "2011-03")]:
        code, out, err = same(demo, monkeypatch, *args)
        assert code == 0 and paths[4].name in err and paths[2].name in err, args
