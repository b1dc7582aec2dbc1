"""crmctl notify against a real SMTP server on localhost: once per assignment, recorded, retried on failure."""

import json

import pytest

from conftest import new_request, snapshot
from smtp_server import free_port, smtp  # noqa: F401  (fixture)

from crmctl.engine.assignments import assign
from crmctl.engine.records import change

SENDER = "crm@example.fi"


def notify(run, smtp, *extra):
    return run("notify", "--smtp", smtp.address, "--from", SENDER, *extra)


def test_notify_sends_one_email_per_assignment_and_records_it(run, store, smtp):
    record_id = new_request(run, "description=Asiakas epäilee laskua liian suureksi.")
    run("sr", "delegate", record_id, "taija.halme", "note=soita asiakkaalle")
    result = notify(run, smtp, "-q")
    assert (result.exit_code, result.stdout, result.stderr) == (0, f"{record_id}\n", "Lähetetty 1 sähköpostia.\n")

    [mail] = smtp.inbox.take()
    assert mail["from"] == SENDER and mail["to"] == ["taija.halme@example.fi"]
    message = mail["message"]
    assert message["To"] == "Taija Halme <taija.halme@example.fi>"
    assert message["Subject"] == f"Delegoitu: Palvelupyyntö {record_id} – Laskussa virhe"
    assert message.get_content().replace("\r\n", "\n") == (
        "Hei Taija Halme,\n"
        "\n"
        "Mette Murto on antanut sinulle hoidettavaksi tietueen (Delegoitu, 2011-01-25 10:00):\n"
        "\n"
        f"  Palvelupyyntö {record_id}\n"
        "  Laskussa virhe\n"
        "\n"
        "Viesti: soita asiakkaalle\n"
        "\n"
        "Asiakas: CUST-GENERAL\n"
        "Henkilön nimi: Matti Meikäläinen\n"
        "Puhelinnumero: +358 40 1234567\n"
        "Aihe: Laskutus\n"
        "Vastuuhenkilö: taija.halme\n"
        "Tilan syy: Kesken\n"
        "Prioriteetti: Normaali\n"
        "Saapumispäivä: 2011-01-25\n"
        "Määräaika: 2011-01-28\n"
        "\n"
        "Kuvaus:\n"
        "Asiakas epäilee laskua liian suureksi.\n"
        "\n"
        "Kuittaa tehtävä vastaanotetuksi komennolla\n"
        "\n"
        f"  crmctl ack {record_id}\n"
        "\n"
        "tai tekemällä tietueeseen muutoksen. Kuittaamattomat tehtäväsi näet\n"
        "komennolla crmctl inbox.\n"
        "\n"
        "-- \n"
        "crmctl, Demo Oy\n"
    )

    record = store.get(record_id)
    item = record["assignments"][0]
    assert item["notified"].isoformat() == "2011-01-25T10:00:00+02:00"
    assert item["notified_to"] == "taija.halme@example.fi"
    assert not item.get("acknowledged")  # a notification is not an acknowledgement
    assert {k: v for k, v in record["history"][-1].items() if k != "at"} == {
        "by": "mette.murto", "event": "notified", "to": "taija.halme", "email": "taija.halme@example.fi",
        "reason": "delegated"}
    assert run("check").exit_code == 0

    # Idempotent: nothing is sent twice.
    before = snapshot(store.root)
    again = notify(run, smtp)
    assert (again.exit_code, again.stdout, again.stderr) == (0, "", "Lähetetty 0 sähköpostia.\n")
    assert smtp.inbox.take() == []
    assert snapshot(store.root) == before


def test_notify_english_store_and_any_record_type(run, store, smtp):
    text = (store.root / "crmctl.yaml").read_text().replace("language: fi", "language: en")
    (store.root / "crmctl.yaml").write_text(text)
    store.reload_config()

    def give(record, engine):
        assign(record, "sanna.salo", "stage_owner", "mette.murto", store.now())
        return [{"at": store.now(), "by": "mette.murto", "event": "assigned", "to": "sanna.salo"}]

    change(store, "CUST-GENERAL", "mette.murto", "en", give, acknowledges=False)
    result = notify(run, smtp, "--format", "json")
    assert json.loads(result.stdout) == [{"id": "CUST-GENERAL", "user": "sanna.salo", "email": "sanna.salo@example.fi",
                                          "subject": "stage_owner: Customer CUST-GENERAL – "
                                                     "_Asiakaspalvelun yleisasiakas"}]
    [mail] = smtp.inbox.take()
    body = mail["message"].get_content().replace("\r\n", "\n")
    assert body.startswith("Hello Sanna Salo,\n\nMette Murto has given you this record to handle (stage_owner, ")
    assert "  crmctl ack CUST-GENERAL\n" in body


def test_acknowledged_assignments_are_not_emailed(run, store, smtp):
    record_id = new_request(run)
    run("sr", "delegate", record_id, "taija.halme")
    run("ack", record_id, "--as", "taija.halme")
    assert notify(run, smtp).stderr == "Lähetetty 0 sähköpostia.\n"
    assert smtp.inbox.take() == []


def test_dry_run_sends_and_writes_nothing(run, store, smtp):
    record_id = new_request(run)
    run("sr", "delegate", record_id, "taija.halme")
    before = snapshot(store.root)
    result = run("notify", "--from", SENDER, "--dry-run", "-q")
    assert (result.exit_code, result.stdout) == (0, f"{record_id}\n")
    assert result.stderr == "Lähetettäisiin 1 sähköpostia (kuivaharjoitus, mitään ei lähetetty).\n"
    assert smtp.inbox.take() == []
    assert snapshot(store.root) == before



def test_dry_run_words_the_emails_in_the_chosen_language(run, store, smtp):
    """`--lang en` on a Finnish store: subjects (and bodies) in English, as the rest of the output."""
    record_id = new_request(run)
    run("sr", "delegate", record_id, "taija.halme")
    result = run("notify", "--from", SENDER, "--dry-run", "--lang", "en", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert [r["subject"] for r in json.loads(result.stdout)] == [
        f"Delegated: Service request {record_id} – Laskussa virhe"]
    assert result.stderr == "Would send 1 email(s) (dry run, nothing sent).\n"
    table = run("notify", "--from", SENDER, "--dry-run", "--lang", "en")
    assert table.stdout.splitlines()[0].split() == ["ID", "User", "Email", "Subject"]
    assert f"Delegated: Service request {record_id}" in table.stdout

    result = notify(run, smtp, "--lang", "en")
    [mail] = smtp.inbox.take()
    assert mail["message"]["Subject"] == f"Delegated: Service request {record_id} – Laskussa virhe"
    body = mail["message"].get_content().replace("\r\n", "\n")
    assert body.startswith("Hello Taija Halme,\n") and "\nDue: 2011-01-28\n" in body

def test_refused_mail_stays_pending_and_exits_1_with_the_server_answer(run, store, smtp):
    record_id = new_request(run)
    run("sr", "delegate", record_id, "taija.halme")
    smtp.inbox.refuse = "550 5.1.1 Mailbox unavailable"
    before = snapshot(store.root)
    result = notify(run, smtp, "--lang", "en")
    assert result.exit_code == 1
    assert result.stderr == ("Sent 0 email(s).\n"
                             "Error: 1 email(s) not sent (they stay pending for the next run):\n"
                             f"  {record_id} → taija.halme@example.fi: "
                             "taija.halme@example.fi: 550 5.1.1 Mailbox unavailable\n")
    assert snapshot(store.root) == before
    smtp.inbox.refuse = None
    assert notify(run, smtp).exit_code == 0
    assert len(smtp.inbox.take()) == 1
    assert store.get(record_id)["assignments"][0]["notified"]


def test_unreachable_server_exits_1_and_changes_nothing(run, store):
    record_id = new_request(run)
    run("sr", "delegate", record_id, "taija.halme")
    before = snapshot(store.root)
    port = free_port()
    result = run("notify", "--smtp", f"127.0.0.1:{port}", "--from", SENDER, "--lang", "en")
    assert result.exit_code == 1
    assert result.stderr.startswith("Sent 0 email(s).\nError: 1 email(s) not sent")
    assert f"{record_id} → taija.halme@example.fi: 127.0.0.1:{port}: " in result.stderr
    assert snapshot(store.root) == before


def test_notify_usage_errors(run, store):
    assert run("notify", "--from", SENDER).exit_code == 2
    assert run("notify", "--smtp", "localhost:25").exit_code == 2
    result = run("notify", "--smtp", "localhost", "--from", SENDER)
    assert (result.exit_code, result.stderr) == (2, "Virhe: --smtp odottaa muotoa HOST:PORT, annettu 'localhost'\n")


def test_notify_settings_from_crmctl_yaml(run, store, smtp):
    with open(store.root / "crmctl.yaml", "a") as handle:
        handle.write(f"notify:\n  smtp: {smtp.address}\n  from: {SENDER}\n")
    record_id = new_request(run)
    run("sr", "delegate", record_id, "taija.halme")
    assert run("notify").exit_code == 0
    assert [m["from"] for m in smtp.inbox.take()] == [SENDER]


def test_one_refused_address_does_not_stop_the_others(run, store, smtp):
    first = new_request(run)
    second = new_request(run)
    run("sr", "delegate", first, "taija.halme")
    run("sr", "delegate", second, "sanna.salo")
    smtp.inbox.refuse, smtp.inbox.refuse_only = "550 5.1.1 Mailbox unavailable", "taija.halme@example.fi"
    result = notify(run, smtp, "-q")
    assert result.exit_code == 1
    assert result.stdout == f"{second}\n"
    assert result.stderr.endswith(f"  {first} → taija.halme@example.fi: taija.halme@example.fi: "
                                  "550 5.1.1 Mailbox unavailable\n")
    assert [m["to"] for m in smtp.inbox.take()] == [["sanna.salo@example.fi"]]
    assert "notified" not in store.get(first)["assignments"][0]
    assert store.get(second)["assignments"][0]["notified"]


@pytest.mark.slow
def test_parallel_notify_runs_send_each_email_once(run, store, smtp):
    from test_delegation import _cli

    for user in ("taija.halme", "sanna.salo", "teemu.tekninen"):
        run("sr", "delegate", new_request(run), user)
    runs = [_cli(store, "notify", "--smtp", smtp.address, "--from", SENDER) for _ in range(3)]
    assert [p.wait(60) for p in runs] == [0, 0, 0]
    assert sorted(m["to"][0] for m in smtp.inbox.take()) == [
        "sanna.salo@example.fi", "taija.halme@example.fi", "teemu.tekninen@example.fi"]


def test_notify_does_not_email_an_assignment_handed_over_to_someone_else(run, store, smtp):
    record_id = new_request(run)
    run("sr", "delegate", record_id, "taija.halme")
    run("sr", "delegate", record_id, "sanna.salo")
    result = notify(run, smtp, "-q")
    assert (result.exit_code, result.stdout) == (0, f"{record_id}\n")
    assert [mail["to"] for mail in smtp.inbox.take()] == [["sanna.salo@example.fi"]]


def test_long_subject_with_non_ascii_round_trips_exactly(run, store, smtp):
    """Folding a long subject must not move a space between encoded words (`Lasku  –Öljy`)."""
    title = "Lasku " * 11 + "– Öljy ja maakaasu"
    record_id = new_request(run)
    run("sr", "set", record_id, f"title={title}")
    run("sr", "delegate", record_id, "taija.halme")
    assert notify(run, smtp).exit_code == 0
    [mail] = smtp.inbox.take()
    assert mail["message"]["Subject"] == f"Delegoitu: Palvelupyyntö {record_id} – {title}"


def test_a_claim_marks_before_sending_and_a_release_takes_back_only_the_failed(run, store, smtp):
    """The pieces `notify` uses in a store shared through git (team/once.py): claim, send, release."""
    from crmctl.workflows import notify as notify_core

    first, second = new_request(run), new_request(run)
    run("sr", "delegate", first, "taija.halme")
    run("sr", "delegate", second, "jussi.myyja")
    before = {record_id: store.get(record_id) for record_id in (first, second)}
    batch = notify_core.claim(store, "mette.murto", SENDER, "en")
    assert sorted(out.record_id for out in batch) == sorted([first, second])
    assert smtp.inbox.take() == []  # claimed, nothing sent yet
    for record_id in (first, second):
        marked = store.get(record_id)
        assert marked["assignments"][-1]["notified"] and marked["history"][-1]["event"] == "notified"
    smtp.inbox.refuse, smtp.inbox.refuse_only = "550 5.1.1 mailbox unavailable", "jussi.myyja@example.fi"
    notify_core.send_claimed(store, batch, ("127.0.0.1", smtp.port), "mette.murto", "en")
    assert [m["to"] for m in smtp.inbox.take()] == [["taija.halme@example.fi"]]
    failed = [out for out in batch if out.error]
    assert [out.record_id for out in failed] == [second]
    notify_core.release(store, failed, "en")
    assert store.get(second) == before[second]  # as if never claimed: the next run sends it
    assert store.get(first)["assignments"][-1]["notified_to"] == "taija.halme@example.fi"
    assert notify_core.outstanding(store)[0][1]["id"] == second
