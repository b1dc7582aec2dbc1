"""The three handling scenarios of the customer-service process (palveluprosessi), end to end.

1. Solved during the call (ratkaistu yhteydenotossa).
2. Transferred (siirretty eteenpäin): delegated, acknowledged, resolved.
3. Difficult (vaativa selvitys): delegated, overdue across a weekend and
   a Finnish public holiday (loppiainen, Thu 2011-01-06), escalated to the
   owner's supervisor, resolved.
Each step asserts the record file, the views, the inboxes and the emails delivered.
"""

from smtp_server import smtp  # noqa: F401  (fixture)

SENDER = "asiakaspalvelu@example.fi"


def at(monkeypatch, moment):
    monkeypatch.setenv("CRMCTL_NOW", moment)


def view(run, key, *extra):
    return run("sr", "list", "--view", key, "-q", *extra).stdout.split()


def inbox(run, user):
    return run("inbox", "--user", user, "-q").stdout.split()


def notify(run, smtp):
    result = run("notify", "--smtp", smtp.address, "--from", SENDER)
    assert result.exit_code == 0, result.stderr
    return [(m["to"], m["message"]["Subject"]) for m in smtp.inbox.take()]


def shown(run, record_id):
    """`sr show` lines with the column padding squeezed."""
    return [" ".join(line.split()) for line in run("sr", "show", record_id).stdout.splitlines()]


def file_of(store, record_id):
    return (store.root / "service-requests" / "2011" / "01" / f"{record_id}.yaml").read_text()


def events(store, record_id):
    return [e["event"] for e in store.get(record_id)["history"]]


def test_solved_during_the_call(run, store, smtp):
    result = run("sr", "new", "title=Laskun eräpäivä", "customer=CUST-GENERAL", "person_name=Matti Meikäläinen",
                 "phone=040 123 4567", "subject=Laskutus", "case_type=Kysymys", "unit=paikallisjakelu",
                 "satisfaction=5", "service_method=Ratkaistu yhteydenotossa",
                 "site.address=Kotkankatu 1", "site.postal_code=48100")
    assert result.exit_code == 0, result.stderr
    record_id = result.stdout.strip()
    assert view(run, "unresolved") == [record_id] and view(run, "mine") == [record_id]
    assert run("sr", "status", record_id, "done", "resolution=Eräpäivä kerrottu puhelimessa").exit_code == 0
    assert file_of(store, record_id) == (
        f"id: {record_id}\n"
        "title: Laskun eräpäivä\n"
        "customer: CUST-GENERAL\n"
        "person_name: Matti Meikäläinen\n"
        "phone: +358 40 1234567\n"
        "subject: billing\n"
        "owner: mette.murto\n"
        "case_type: question\n"
        "unit: paikallisjakelu\n"
        "origin: phone\n"
        "status_reason: done\n"
        "satisfaction: 5\n"
        "priority: normal\n"
        "service_method: first_contact\n"
        "received: 2011-01-25\n"
        "responded: 2011-01-25\n"
        "resolution: Eräpäivä kerrottu puhelimessa\n"
        "site:\n"
        "  address: Kotkankatu 1\n"
        "  postal_code: '48100'\n"
        "history:\n"
        "- at: 2011-01-25T10:00:00+02:00\n"
        "  by: mette.murto\n"
        "  event: created\n"
        "- at: 2011-01-25T10:00:00+02:00\n"
        "  by: mette.murto\n"
        "  event: status\n"
        "  from: in_progress\n"
        "  to: done\n"
        "  changes:\n"
        "    status_reason:\n"
        "    - in_progress\n"
        "    - done\n"
        "    responded:\n"
        "    - null\n"
        "    - 2011-01-25\n"
        "    resolution:\n"
        "    - null\n"
        "    - Eräpäivä kerrottu puhelimessa\n"
    )
    assert view(run, "resolved") == [record_id]
    assert view(run, "unresolved") == [] and view(run, "mine") == [] and view(run, "overdue") == []
    assert view(run, "delegated_unacknowledged") == []
    assert inbox(run, "mette.murto") == []
    assert notify(run, smtp) == []
    assert run("check", "--strict").exit_code == 0


def test_transferred_delegated_acknowledged_resolved(run, store, smtp, monkeypatch):
    at(monkeypatch, "2011-01-25T10:00:00+02:00")  # Tuesday
    record_id = run("sr", "new", "title=Kaasun haju mittarikaapissa", "customer=CUST-GENERAL",
                    "person_name=Liisa Laine", "phone=040 765 4321", "subject=fault", "case_type=problem",
                    "severity=2", "service_method=transferred").stdout.strip()
    assert "Määräaika 2011-01-26" in shown(run, record_id)  # severity 2: 1 working day

    assert run("sr", "delegate", record_id, "teemu.tekninen", "note=Tarkista mittarikaappi").exit_code == 0
    text = file_of(store, record_id)
    assert "owner: teemu.tekninen\n" in text
    assert ("actions: 'Delegoitu: käyttäjälle Teemu Tekninen, delegoija mmu, 2011-01-25: Tarkista mittarikaappi'\n"
            in text)
    assert ("assignments:\n- user: teemu.tekninen\n  reason: delegated\n  by: mette.murto\n"
            "  at: 2011-01-25T10:00:00+02:00\n  note: Tarkista mittarikaappi\n") in text
    assert view(run, "delegated_unacknowledged") == [record_id]
    assert inbox(run, "teemu.tekninen") == [record_id]
    assert inbox(run, "mette.murto") == []

    assert notify(run, smtp) == [(["teemu.tekninen@example.fi"],
                                  f"Delegoitu: Palvelupyyntö {record_id} – Kaasun haju mittarikaapissa")]
    assert notify(run, smtp) == []  # exactly once
    assert "  notified: 2011-01-25T10:00:00+02:00\n  notified_to: teemu.tekninen@example.fi\n" in file_of(
        store, record_id)

    at(monkeypatch, "2011-01-25T10:20:00+02:00")
    assert run("ack", record_id, "--as", "teemu.tekninen").exit_code == 0
    assert "  acknowledged: 2011-01-25T10:20:00+02:00\n" in file_of(store, record_id)
    assert view(run, "delegated_unacknowledged") == [] and inbox(run, "teemu.tekninen") == []

    at(monkeypatch, "2011-01-26T14:00:00+02:00")
    assert view(run, "overdue") == []
    assert run("sr", "status", record_id, "resolved", "resolution=Liitos kiristetty, ei vuotoa",
               "--as", "teemu.tekninen").exit_code == 0
    record = store.get(record_id)
    assert (record["status_reason"], str(record["responded"])) == ("resolved", "2011-01-26")
    assert events(store, record_id) == ["created", "delegated", "notified", "acknowledged", "status"]
    assert view(run, "resolved") == [record_id] and view(run, "unresolved") == []
    assert run("escalate").stderr == "Eskaloitu 0.\n"
    assert notify(run, smtp) == []
    assert run("check").exit_code == 0


def test_difficult_overdue_escalated_to_supervisor_resolved(run, store, smtp, monkeypatch):
    at(monkeypatch, "2011-01-05T14:00:00+02:00")  # Wednesday before loppiainen (Thu 6.1.)
    record_id = run("sr", "new", "title=Lasku väärin kolme kuukautta", "customer=CUST-GENERAL",
                    "person_name=Pekka Puro", "phone=05 123 4567", "subject=billing", "case_type=problem",
                    "severity=4", "service_method=escalated").stdout.strip()
    # 3 working days: Fri 7.1., Mon 10.1., Tue 11.1. (Thu 6.1. is a holiday, 8.-9.1. a weekend).
    assert "Määräaika 2011-01-11" in shown(run, record_id)
    run("sr", "delegate", record_id, "taija.halme")
    assert notify(run, smtp) == [(["taija.halme@example.fi"],
                                  f"Delegoitu: Palvelupyyntö {record_id} – Lasku väärin kolme kuukautta")]

    for moment in ("2011-01-07T09:00:00+02:00", "2011-01-10T09:00:00+02:00", "2011-01-11T17:00:00+02:00"):
        at(monkeypatch, moment)
        assert view(run, "overdue") == [], moment
        assert run("escalate").stderr == "Eskaloitu 0.\n"

    at(monkeypatch, "2011-01-12T08:00:00+02:00")  # the day after the due date: overdue
    assert view(run, "overdue") == [record_id]
    assert view(run, "delegated_unacknowledged") == [record_id]  # Taija never acknowledged
    result = run("escalate", "--lang", "en")
    assert result.stdout.splitlines()[2].split() == [record_id, "2011-01-11", "taija.halme", "sanna.salo"]
    assert result.stderr == "Escalated 1.\n"
    text = file_of(store, record_id)
    assert "escalated: 2011-01-12\n" in text
    assert ("- user: sanna.salo\n  reason: escalated\n  by: mette.murto\n  at: 2011-01-12T08:00:00+02:00\n"
            "  owner: taija.halme\n") in text
    assert inbox(run, "sanna.salo") == [record_id] and inbox(run, "taija.halme") == [record_id]
    assert "2011-01-12" in run("sr", "list", "--view", "overdue").stdout  # the escalated column
    assert notify(run, smtp) == [(["sanna.salo@example.fi"],
                                  f"Eskaloitu (myöhässä): Palvelupyyntö {record_id} – Lasku väärin kolme kuukautta")]

    at(monkeypatch, "2011-01-13T09:00:00+02:00")
    assert run("escalate").stderr == "Eskaloitu 0.\n"  # once
    assert notify(run, smtp) == []

    assert run("ack", record_id, "--as", "sanna.salo").exit_code == 0
    assert run("sr", "status", record_id, "done", "resolution=Hyvityslasku lähetetty",
               "--as", "taija.halme").exit_code == 0  # her change acknowledges her delegation
    assert inbox(run, "sanna.salo") == [] and inbox(run, "taija.halme") == []
    assert view(run, "overdue") == [] and view(run, "delegated_unacknowledged") == []
    assert view(run, "resolved") == [record_id]
    assert events(store, record_id) == ["created", "delegated", "notified", "escalated", "notified",
                                        "acknowledged", "status", "acknowledged"]
    record = store.get(record_id)
    assert [(a["user"], a["reason"], str(a["acknowledged"])) for a in record["assignments"]] == [
        ("taija.halme", "delegated", "2011-01-13 09:00:00+02:00"),
        ("sanna.salo", "escalated", "2011-01-13 09:00:00+02:00")]
    assert str(record["responded"]) == "2011-01-13"
    assert run("check").exit_code == 0
