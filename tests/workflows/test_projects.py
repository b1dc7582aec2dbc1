"""Sales projects: stages from config/project_types.yaml, completed in order by their owners."""

from datetime import date

import pytest

from conftest import snapshot
from crmctl.workflows import projects
from crmctl.engine import records
from crmctl.engine.assignments import pending
from crmctl.kernel.errors import CrmError, NotFound

GAS_STAGES = ["needs_assessment", "offer", "contract_sent", "contract_returned", "connection_fee_invoiced",
              "connection_built", "billing_activated"]


def new_project(run, *extra, type_="gas_connection", region="kotka"):
    result = run("project", "new", f"type={type_}", "customer=CUST-GENERAL", f"region={region}",
                 "title=Maakaasuliittymä Gunnarintie 5", "value=12000", *extra)
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def test_new_project_builds_the_stage_list_with_the_first_stage_current(run, store):
    project_id = new_project(run)
    record = store.get(project_id)
    assert record["owner"] == "jussi.myyja"  # the region's seller
    assert record["status"] == "open" and record["created"] == date(2011, 1, 25)
    assert [s["key"] for s in record["stages"]] == GAS_STAGES
    assert record["stages"][0] == {"key": "needs_assessment", "status": "not_started", "owner": "jussi.myyja",
                                   "started": date(2011, 1, 25), "due": date(2011, 2, 8)}
    assert record["stages"][1] == {"key": "offer", "status": "not_started"}
    assert [(a["user"], a["reason"], a["stage"]) for a in pending(record)] == [
        ("jussi.myyja", "stage", "needs_assessment")]
    text = (store.path_of(project_id)).read_text()
    assert "- key: needs_assessment\n  status: not_started\n  owner: jussi.myyja\n  started: 2011-01-25\n" \
           "  due: 2011-02-08\n" in text
    assert run("check").exit_code == 0


def test_explicit_owner_and_created_date_are_kept_for_migrated_projects(run, store):
    project_id = new_project(run, "owner=kaisa.kauppinen", "created=2010-11-01")
    record = store.get(project_id)
    assert record["owner"] == "kaisa.kauppinen"
    assert record["created"] == date(2010, 11, 1)
    assert record["stages"][0]["started"] == date(2010, 11, 1)
    assert record["stages"][0]["due"] == date(2010, 11, 15)
    # migrated stage completions keep their dates; the next stage starts on that date
    result = run("project", "stage", "complete", project_id, "--date", "2010-11-20", "--as", "jussi.myyja")
    assert result.exit_code == 0, result.stderr
    stages = store.get(project_id)["stages"]
    assert stages[0]["completed"] == date(2010, 11, 20)
    assert stages[1] == {"key": "offer", "status": "not_started", "owner": "jussi.myyja",
                         "started": date(2010, 11, 20), "due": date(2010, 12, 3)}


def test_completing_a_stage_starts_the_next_with_owner_due_and_assignment(run, store):
    project_id = new_project(run)
    assert run("project", "stage", "complete", project_id, "needs_assessment", "--as", "jussi.myyja").exit_code == 0
    assert run("project", "stage", "complete", project_id, "--as", "jussi.myyja").exit_code == 0
    record = store.get(project_id)
    assert record["stages"][1]["status"] == "done" and record["stages"][1]["completed"] == date(2011, 1, 25)
    assert record["stages"][2] == {"key": "contract_sent", "status": "not_started", "owner": "mette.murto",
                                   "started": date(2011, 1, 25), "due": date(2011, 1, 27)}
    assert [(a["user"], a["stage"]) for a in pending(record)] == [("mette.murto", "contract_sent")]
    events = [e for e in record["history"] if e["event"] == "stage_completed"]
    assert events[-1] == {"at": events[-1]["at"], "by": "jussi.myyja", "event": "stage_completed",
                          "stage": "offer", "completed": date(2011, 1, 25), "next": "contract_sent",
                          "owner": "mette.murto"}
    assert all("changes" not in e for e in events)  # the stage events say what changed


def test_next_owner_is_given_by_the_completer(run, store):
    project_id = new_project(run)
    result = run("project", "stage", "complete", project_id, "--next-owner", "kaisa.kauppinen", "--as", "jussi.myyja")
    assert result.exit_code == 0, result.stderr
    assert store.get(project_id)["stages"][1]["owner"] == "kaisa.kauppinen"
    result = run("project", "list", "--view", "my_stages", "-q", "--as", "kaisa.kauppinen")
    assert result.stdout == f"{project_id}\n"


def test_only_the_owner_or_an_admin_may_complete_unless_forced(run, store):
    project_id = new_project(run)
    before = snapshot(store.root)
    result = run("project", "stage", "complete", project_id, "--as", "kaisa.kauppinen")
    assert result.exit_code == 1
    assert result.stderr == ("Virhe: vain vaiheen vastuuhenkilö (jussi.myyja) tai ylläpitäjä voi merkitä vaiheen "
                             "needs_assessment valmiiksi (ohita tarkistus: --force reason=..)\n")
    assert snapshot(store.root) == before
    result = run("project", "stage", "complete", project_id, "--force", "reason=Jussi lomalla",
                 "--as", "kaisa.kauppinen")
    assert result.exit_code == 0, result.stderr
    record = store.get(project_id)
    assert record["stages"][0]["reason"] == "Jussi lomalla"
    event = [e for e in record["history"] if e["event"] == "stage_completed"][0]
    assert event["forced"] is True and event["reason"] == "Jussi lomalla" and event["by"] == "kaisa.kauppinen"
    # an admin (mette.murto) may complete someone else's stage
    assert run("project", "stage", "complete", project_id).exit_code == 0


@pytest.mark.parametrize("args, message", [
    (["contract_sent"], "Virhe: {id}: vaihe contract_sent ei ole nykyinen vaihe; vaiheet tehdään järjestyksessä "
                        "(nykyinen vaihe: needs_assessment)\n"),
    (["nonsense"], "Virhe: tyypin gas_connection myyntiprojektissa ei ole vaihetta 'nonsense' (vaiheet: needs_assessment, "
                   "offer, contract_sent, contract_returned, connection_fee_invoiced, connection_built, "
                   "billing_activated)\n"),
    (["--date", "2011-01-24"], "Virhe: --date 2011-01-24 on ennen vaiheen alkua (2011-01-25)\n"),
    (["--date", "2011-02-01"], "Virhe: --date 2011-02-01 on tulevaisuudessa\n"),
    (["--next-owner", "nobody"], None),
])
def test_bad_completions_change_nothing(run, store, args, message):
    project_id = new_project(run)
    before = snapshot(store.root)
    result = run("project", "stage", "complete", project_id, *args)
    assert result.exit_code == 1
    if message:
        assert result.stderr == message.format(id=project_id)
    else:
        assert result.stderr.startswith("Virhe: nobody: ")
    assert snapshot(store.root) == before


def test_force_needs_a_reason(run, store):
    project_id = new_project(run)
    result = run("project", "stage", "complete", project_id, "--force")
    assert result.exit_code == 1
    assert result.stderr == "Virhe: --force tarvitsee syyn (reason=...)\n"


def test_last_stage_completes_the_project_and_closed_projects_refuse_changes(run, store):
    project_id = new_project(run, type_="parent_company")
    for _ in range(5):
        assert run("project", "stage", "complete", project_id).exit_code == 0
    record = store.get(project_id)
    assert record["status"] == "completed" and record["closed"] == date(2011, 1, 25)
    assert record["history"][-1]["event"] == "status"
    assert record["history"][-1]["to"] == "completed"
    before = snapshot(store.root)
    result = run("project", "stage", "complete", project_id)
    assert result.exit_code == 1
    assert result.stderr == f"Virhe: {project_id} on tilassa completed; sen vaiheita ei voi enää muuttaa\n"
    assert snapshot(store.root) == before
    assert run("project", "list", "--view", "completed", "-q").stdout == f"{project_id}\n"
    assert run("check").exit_code == 0


def test_stage_assign_and_skip(run, store):
    project_id = new_project(run)
    assert run("project", "stage", "assign", project_id, "offer", "kaisa.kauppinen").exit_code == 0
    assert run("project", "stage", "assign", project_id, "needs_assessment", "kaisa.kauppinen").exit_code == 0
    record = store.get(project_id)
    assert record["stages"][0]["owner"] == "kaisa.kauppinen"
    assert record["stages"][1]["owner"] == "kaisa.kauppinen"  # pre-assigned, kept when the stage starts
    # the work went from the seller to kaisa: his open assignment for the stage is handed over
    assert [a["user"] for a in pending(record)] == ["kaisa.kauppinen"]
    assert record["assignments"][0]["handed_over_to"] == "kaisa.kauppinen"
    result = run("project", "stage", "skip", project_id, "needs_assessment")
    assert result.exit_code == 1
    assert result.stderr == "Virhe: vaiheen ohittaminen vaatii syyn (reason=...)\n"
    assert run("project", "stage", "skip", project_id, "needs_assessment", "reason=Tarve tiedossa").exit_code == 0
    record = store.get(project_id)
    assert record["stages"][0]["status"] == "skipped" and record["stages"][0]["reason"] == "Tarve tiedossa"
    assert record["stages"][1]["owner"] == "kaisa.kauppinen" and record["stages"][1]["started"] == date(2011, 1, 25)
    assert run("project", "stage", "skip", project_id, "contract_returned", "reason=Ei sopimusta").exit_code == 0
    record = store.get(project_id)
    assert record["stages"][3] == {"key": "contract_returned", "status": "skipped", "reason": "Ei sopimusta"}
    # completing contract_sent passes over the skipped stage
    for _ in range(2):
        assert run("project", "stage", "complete", project_id).exit_code == 0
    assert store.get(project_id)["stages"][4]["owner"] == "mette.murto"
    assert store.get(project_id)["stages"][4]["started"] == date(2011, 1, 25)
    result = run("project", "stage", "skip", project_id, "offer", "reason=x")
    assert result.exit_code == 1
    assert result.stderr == f"Virhe: {project_id}: vaihe offer on jo tilassa done\n"


def test_project_close_lost_needs_a_reason(run, store):
    project_id = new_project(run)
    before = snapshot(store.root)
    result = run("project", "close", project_id, "--lost")
    assert result.exit_code == 1
    assert result.stderr == "Virhe: siirto open → lost vaatii syyn (reason=...)\n"
    assert snapshot(store.root) == before
    result = run("project", "close", project_id, "--lost", "reason=Asiakas valitsi kaukolämmön")
    assert result.exit_code == 0, result.stderr
    record = store.get(project_id)
    assert (record["status"], record["closed"], record["lost_reason"]) == (
        "lost", date(2011, 1, 25), "Asiakas valitsi kaukolämmön")
    assert run("project", "list", "--view", "lost", "-q").stdout == f"{project_id}\n"
    assert run("project", "list", "--view", "open", "-q").stdout == ""
    result = run("project", "close", project_id)
    assert result.exit_code == 2


def test_stalled_view_lists_projects_past_their_stage_due_date(run, store, monkeypatch):
    project_id = new_project(run)
    assert run("project", "list", "--view", "stalled", "-q").stdout == ""
    monkeypatch.setenv("CRMCTL_NOW", "2011-02-09")  # needs_assessment was due 2011-02-08
    assert run("project", "list", "--view", "stalled", "-q").stdout == f"{project_id}\n"


def test_cs_not_started_view_shows_stage_names_and_due_dates(run, store):
    project_id = new_project(run)
    run("project", "stage", "complete", project_id)
    run("project", "stage", "complete", project_id)
    result = run("--lang", "en", "project", "list", "--view", "cs_not_started")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0].split() == ["ID", "Name", "Stage", "Stage", "due", "Stage", "owner"]
    assert result.stdout.splitlines()[2].split() == [project_id, "Maakaasuliittymä", "Gunnarintie", "5",
                                                     "Sending", "the", "contract", "2011-01-27", "mette.murto"]


def test_library_calls_raise_plain_errors(store):
    rtype = store.config.types["sales_project"]
    record, _ = records.create(store, rtype, {"type": "heat_connection", "customer": "CUST-GENERAL",
                                              "region": "helsinki", "title": "Lämpö"}, "mette.murto")
    assert record["stages"][0]["owner"] == "kaisa.kauppinen"
    with pytest.raises(NotFound):
        projects.assign_stage(store, record["id"], "connection_built", "teemu.tekninen", "mette.murto")
    with pytest.raises(CrmError):
        projects.close_project(store, record["id"], "lost", "mette.murto")
    done = projects.complete_stage(store, record["id"], "mette.murto", on="2011-01-25")
    assert done["stages"][1]["due"] == date(2011, 2, 15)  # 15 working days for a heat-connection offer


def test_check_finds_impossible_stage_sequences_in_hand_written_projects(run, store):
    project_id = new_project(run, type_="parent_company")
    path = store.path_of(project_id)
    text = path.read_text()
    text = text.replace("- key: offer\n  status: not_started\n",
                        "- key: offer\n  status: done\n  started: 2011-01-20\n  completed: 2011-01-19\n")
    text = text.replace("- key: contract\n", "- key: contrakt\n")
    path.write_text(text)
    result = run("--lang", "en", "check")
    assert result.exit_code == 1
    shown = store.display_path(path)
    lines = [line for line in result.stdout.splitlines() if "stage" in line]
    assert lines == [
        f"{shown}:10: error: stage-sequence: stages needs_assessment, offer, negotiation, contrakt, delivery are "
        "not those of parent_company: needs_assessment, offer, negotiation, contract, delivery",
        f"{shown}:10: error: stage-order: stage offer is done but needs_assessment before it is not",
        f"{shown}:10: error: date-order: stage offer completed 2011-01-19 before it started 2011-01-20",
    ]


def test_check_accepts_a_completed_project(run, store):
    project_id = new_project(run, type_="parent_company")
    for _ in range(5):
        run("project", "stage", "complete", project_id)
    result = run("check", "--strict")
    assert result.exit_code == 0, result.stdout


def test_stage_start_takes_the_stage_out_of_the_not_started_queue(run, store):
    project_id = new_project(run)
    run("project", "stage", "complete", project_id)
    run("project", "stage", "complete", project_id)
    result = run("project", "stage", "start", project_id, "--as", "taija.halme")
    assert result.exit_code == 1
    assert result.stderr == "Virhe: vain vaiheen vastuuhenkilö (mette.murto) tai ylläpitäjä voi aloittaa vaiheen contract_sent\n"
    assert run("project", "stage", "start", project_id, "offer").exit_code == 1
    result = run("project", "stage", "start", project_id, "contract_sent")
    assert result.exit_code == 0, result.stderr
    assert store.get(project_id)["stages"][2]["status"] == "in_progress"
    assert store.get(project_id)["history"][-1]["event"] == "stage_started"
    assert run("project", "list", "--view", "cs_not_started", "-q").stdout == ""
    assert run("project", "list", "--view", "my_stages", "-q").stdout == f"{project_id}\n"
    before = snapshot(store.root)
    again = run("project", "stage", "start", project_id)  # already in progress: a repeat succeeds, writes nothing
    assert (again.exit_code, again.stdout) == (0, "")
    assert again.stderr == f"{project_id}: vaihe contract_sent on jo käynnissä; ei muutoksia.\n"
    assert snapshot(store.root) == before
    assert run("project", "stage", "complete", project_id).exit_code == 0
    assert store.get(project_id)["stages"][2]["status"] == "done"


def test_stage_list_shows_names_roles_owners_and_dates(run, store):
    project_id = new_project(run, type_="parent_company")
    run("project", "stage", "complete", project_id)
    result = run("--lang", "en", "project", "stage", "list", project_id, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "current,key,name,role,days,status,owner,started,due,completed,reason\n"
        ",needs_assessment,Needs assessment,sales,15,done,jussi.myyja,2011-01-25,2011-02-15,2011-01-25,\n"
        "*,offer,Offer,sales,20,not_started,jussi.myyja,2011-01-25,2011-02-22,,\n"
        ",negotiation,Negotiation,sales,30,not_started,,,,,\n"
        ",contract,Contract,sales,15,not_started,,,,,\n"
        ",delivery,Delivery,technical,60,not_started,,,,,\n"
    )


def test_a_project_migrated_by_import_keeps_its_dates(run, store, tmp_path):
    row = {"title": "Vanha liittymä", "type": "parent_company", "customer": "CUST-GENERAL", "region": "kotka",
           "created": "2010-03-01", "stages": [
               {"key": "needs_assessment", "status": "done", "owner": "jussi.myyja", "started": "2010-03-01",
                "due": "2010-03-22", "completed": "2010-03-15"},
               {"started": "2010-03-15", "key": "offer", "status": "not_started", "owner": "jussi.myyja",
                "due": "2010-04-13"},
               {"key": "negotiation", "status": "not_started"},
               {"key": "contract", "status": "not_started"},
               {"key": "delivery", "status": "not_started"}]}
    source = tmp_path / "old.jsonl"
    import json
    source.write_text(json.dumps(row) + "\n")
    result = run("import", "sales_project", str(source))
    assert result.exit_code == 0, result.stderr
    project_id = run("project", "list", "-q").stdout.strip()
    record = store.get(project_id)
    assert record["created"] == date(2010, 3, 1)
    assert record["stages"][0]["completed"] == date(2010, 3, 15)
    assert list(record["stages"][1]) == ["key", "status", "owner", "started", "due"]
    assert "assignments" not in record
    assert run("project", "list", "--view", "stalled", "-q").stdout == f"{project_id}\n"  # offer was due 2010-04-13
    assert run("check").exit_code == 0


@pytest.mark.parametrize("args, message", [
    (["assign", "{id}", "kontrakti", "mette.murto"], "Virhe: tyypin parent_company myyntiprojektissa ei ole "
                                                      "vaihetta 'kontrakti' (vaiheet: needs_assessment, offer, negotiation, "
                                                      "contract, delivery)\n"),
    (["assign", "{id}", "offer", "nobody"], None),
    (["skip", "{id}", "kontrakti", "reason=x"], "Virhe: tyypin parent_company myyntiprojektissa ei ole "
                                                "vaihetta 'kontrakti' (vaiheet: needs_assessment, offer, negotiation, "
                                                "contract, delivery)\n"),
    (["skip", "{id}", "offer", "reason=x", "--as", "taija.halme"],
     "Virhe: vain nykyisen vaiheen vastuuhenkilö, myyntiprojektin vastuuhenkilö tai ylläpitäjä voi ohittaa vaiheita\n"),
])
def test_bad_stage_assign_and_skip_change_nothing(run, store, args, message):
    project_id = new_project(run, type_="parent_company")
    before = snapshot(store.root)
    result = run("project", "stage", *[a.format(id=project_id) for a in args])
    assert result.exit_code == 1
    if message:
        assert result.stderr == message
    else:
        assert result.stderr.startswith("Virhe: nobody: ")
    assert snapshot(store.root) == before


def test_project_created_in_the_future_or_of_unknown_type_is_refused(run, store):
    before = snapshot(store.root)
    result = run("project", "new", "type=gas_connection", "customer=CUST-GENERAL", "region=kotka", "title=X",
                 "created=2011-02-01")
    assert result.exit_code == 1
    assert "  created (Perustettu): " in result.stderr
    result = run("project", "new", "type=pipeline", "customer=CUST-GENERAL", "region=kotka", "title=X")
    assert result.exit_code == 1
    assert "  type (Myyntiprojektin tyyppi): " in result.stderr
    assert snapshot(store.root) == before


def test_show_names_the_current_stage_and_has_no_overdue_line_without_a_due_date(run, store):
    record_id = new_project(run)
    lines = run("--lang", "en", "project", "show", record_id).stdout.splitlines()
    assert "   Stage               Needs assessment" in [f"   {line}" for line in lines]
    assert not [line for line in lines if line.startswith("Overdue")]
    customer = run("--lang", "en", "customer", "show", "CUST-GENERAL").stdout
    assert "Overdue" not in customer and "Due" not in customer


def test_only_owners_or_an_admin_may_assign_stages(run, store):
    project_id = new_project(run)
    before = snapshot(store.root)
    result = run("project", "stage", "assign", project_id, "offer", "teemu.tekninen", "--as", "teemu.tekninen")
    assert result.exit_code == 1
    assert result.stderr == ("Virhe: vain nykyisen vaiheen vastuuhenkilö, myyntiprojektin vastuuhenkilö tai ylläpitäjä "
                             "voi nimetä vaiheiden vastuuhenkilöt\n")
    assert snapshot(store.root) == before
    assert run("project", "stage", "assign", project_id, "offer", "kaisa.kauppinen", "--as", "jussi.myyja").exit_code == 0
