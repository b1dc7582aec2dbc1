"""Issue 2's foundation, point by point: store, ids, users and regions, generic verbs.

Canonical YAML and id generation, which need no store, are in unit/test_yaml_and_ids.py.
"""

import multiprocessing
import os

import pytest

from conftest import snapshot
from crmctl.engine import records
from crmctl.kernel import yamlio
from crmctl.workflows.new_store import create_store
from crmctl.store.store import Store

SR_OK = ("title=Mittarilukema", "customer=CUST-GENERAL", "person_name=Matti Meikäläinen", "subject=billing")


def new_sr(run, *extra):
    result = run("sr", "new", *SR_OK, *extra)
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


# -- store and canonical YAML -------------------------------------------------------------------

def test_init_writes_the_default_configuration_and_the_general_customer(tmp_path, run):
    result = run("init", str(tmp_path / "new"), root=tmp_path)
    assert result.exit_code == 0
    assert result.stderr == f"Uusi crmctl-tietovarasto luotu hakemistoon {tmp_path / 'new'}\n"
    root = tmp_path / "new"
    assert {p.name for p in (root / "config" / "types").iterdir()} == {
        "customer.yaml", "service_request.yaml", "lead.yaml", "account_request.yaml", "sales_project.yaml"}
    general = yamlio.load((root / "customers" / "CUST-GENERAL.yaml").read_text())
    assert general["name"] == "_Asiakaspalvelun yleisasiakas"
    assert (root / ".cache" / ".gitignore").read_text() == "*\n"
    again = run("init", str(root), root=tmp_path)
    assert (again.exit_code, again.stderr) == (1, f"Virhe: kansiossa {root} on jo varasto\n")


def test_saving_an_unchanged_record_gives_identical_bytes(run, store):
    request = new_sr(run, "description=Asiakas soitti.\nKysyi laskusta.")
    path = store.root / "service-requests" / "2011" / "01" / f"{request}.yaml"
    before = path.read_bytes()
    with store.lock():
        store.save(store.get(request))
    assert path.read_bytes() == before
    result = run("sr", "set", request, "title=Mittarilukema")  # the same value: no change, no write
    assert result.stderr == f"{request}: kentillä on jo nämä arvot; ei muutoksia.\n"
    assert path.read_bytes() == before


def _set_many(root, record_id, field, count):
    os.environ["CRMCTL_NOW"] = "2011-01-25T10:00:00+02:00"
    store = Store(root)
    for number in range(count):
        records.update(store, record_id, {field: f"{field} {number}"}, "mette.murto")


@pytest.mark.slow
def test_concurrent_writers_never_lose_an_update(run, store):
    request = new_sr(run)
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_set_many, args=(store.root, request, field, 15))
               for field in ("title", "person_name", "actions")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    record = store.get(request)
    assert len(record["history"]) == 1 + 3 * 15
    assert (record["title"], record["person_name"], record["actions"]) == ("title 14", "person_name 14", "actions 14")
    leftovers = [p for p in (store.root / "service-requests").rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


# -- ids ----------------------------------------------------------------------------------------

def test_records_are_sharded_by_the_date_in_their_id(run, store):
    request = new_sr(run)
    assert (store.root / "service-requests" / "2011" / "01" / f"{request}.yaml").is_file()
    assert store.path_of("CUST-GENERAL") == store.root / "customers" / "CUST-GENERAL.yaml"


def test_any_unique_prefix_names_a_record_case_insensitively(run, store, monkeypatch):
    first = new_sr(run)
    shown = run("--format", "json", "sr", "show", first[:14].lower())
    assert shown.exit_code == 0 and f'"id": "{first}"' in shown.stdout
    second = first
    while second[:13] != first[:13] or second == first:  # two ids that share "SR-20110125-X"
        second = new_sr(run)
        if second[:13] != first[:13]:
            for path in (store.root / "service-requests").rglob(f"{second}.yaml"):
                path.unlink()
    ambiguous = run("sr", "show", first[:13])
    assert ambiguous.exit_code == 1
    assert ambiguous.stderr == f"Virhe: {first[:13]!r} on moniselitteinen: {', '.join(sorted([first, second]))}\n"
    wrong_type = run("customer", "show", first)
    assert (wrong_type.exit_code, wrong_type.stderr) == (1, f"Virhe: {first!r} ei vastaa yhtään tietuetta (tyyppi: asiakkuus)\n")


# -- field values -------------------------------------------------------------------------------

def test_enumerations_accept_keys_and_labels_in_either_language_and_store_keys(run, store):
    by_fi = new_sr(run, "case_type=Ongelma", "origin=Sähköposti", "priority=korkea")
    by_en = new_sr(run, "case_type=Problem", "origin=Email", "priority=HIGH")
    by_key = new_sr(run, "case_type=problem", "origin=email", "priority=high")
    texts = [(store.root / "service-requests" / "2011" / "01" / f"{i}.yaml").read_text() for i in (by_fi, by_en, by_key)]
    for text in texts:
        assert "case_type: problem\n" in text and "origin: email\n" in text and "priority: high\n" in text


def test_empty_value_clears_an_optional_field_and_nested_keys_set_one_part(run, store):
    request = new_sr(run, "email=matti@example.fi", "site.address=Gunnarintie 5", "site.postal_code=48100")
    assert run("sr", "set", request, "email=", "site.meter_number=M-1").exit_code == 0
    record = store.get(request)
    assert "email" not in record
    assert record["site"] == {"address": "Gunnarintie 5", "postal_code": "48100", "meter_number": "M-1"}
    assert record["history"][-1]["changes"] == {
        "email": ["matti@example.fi", None],
        "site": [{"address": "Gunnarintie 5", "postal_code": "48100"},
                 {"address": "Gunnarintie 5", "postal_code": "48100", "meter_number": "M-1"}],
    }


def test_recommended_fields_warn_on_stderr_and_exit_0(run, store):
    result = run("--lang", "en", "sr", "new", *SR_OK, "phone=040 1234567", "case_type=question", "unit=gasum_oy",
                 "satisfaction=5", "service_method=first_contact")
    assert result.exit_code == 0
    assert result.stderr == "Warning: site (Site): recommended, not filled\n"
    assert store.get(result.stdout.strip())["phone"] == "+358 40 1234567"


# -- edit ---------------------------------------------------------------------------------------

def test_edit_saves_a_valid_edit_with_its_history_event(run, store, monkeypatch):
    request = new_sr(run)
    monkeypatch.setenv("EDITOR", "sed -i 's/^title: .*/title: Laskukysely/'")
    result = run("sr", "edit", request)
    assert (result.exit_code, result.stdout) == (0, "")
    record = store.get(request)
    assert record["title"] == "Laskukysely"
    assert record["history"][-1]["changes"] == {"title": ["Mittarilukema", "Laskukysely"]}


@pytest.mark.parametrize("script, error", [
    ("sed -i 's/^subject: .*/subject: weather/'",
     ["Virhe: tietue rikkoo näitä sääntöjä:", "  subject (Aihe): 'weather' ei ole sallittu arvo; sallitut: "
      "meter_reading, gas_contract, billing, sales_inquiry, callback, feedback, fault, other"]),
    ("sed -i '/^title: /d'", ["Virhe: tietue rikkoo näitä sääntöjä:", "  title (Otsikko): pakollinen tieto"]),
    ("sed -i 's/^title: .*/title: !!python\\/name:os.system/'",
     ["Virhe: <edited record>:2: YAML-tagit eivät ole sallittuja (tag:yaml.org,2002:python/name:os.system)"]),
    ("sed -i 's/^owner: .*/owner: nobody/'",
     ["Virhe: tietue rikkoo näitä sääntöjä:", "  owner (Vastuuhenkilö): tuntematon käyttäjä 'nobody'"]),
    ("false", ["Virhe: editori päättyi koodiin 1; mitään ei tallennettu"]),
])
def test_rejected_edits_are_not_saved(run, store, monkeypatch, script, error):
    request = new_sr(run)
    monkeypatch.setenv("EDITOR", script)
    before = snapshot(store.root)
    result = run("sr", "edit", request)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.splitlines() == error
    assert snapshot(store.root) == before


def test_edit_without_changes_says_so(run, store, monkeypatch):
    request = new_sr(run)
    monkeypatch.setenv("EDITOR", "true")
    before = snapshot(store.root)
    result = run("sr", "edit", request)
    assert (result.exit_code, result.stderr) == (0, "Ei muutoksia.\n")
    assert snapshot(store.root) == before


# -- users and regions ------------------------------------------------------------------------

@pytest.fixture
def bootstrapped(tmp_path, run, monkeypatch):
    monkeypatch.delenv("CRMCTL_USER")
    root = create_store(tmp_path / "fresh").root
    assert run("region", "add", "kotka", "name=Kotka", root=root).exit_code == 0
    assert run("user", "add", "anna", "name=Anna Admin", "email=anna@example.fi", "roles=admin,customer_service",
               "region=kotka", root=root).exit_code == 0
    return root


def test_users_and_regions_bootstrap_then_need_an_admin(run, bootstrapped):
    root = bootstrapped
    added = run("--as", "anna", "user", "add", "bert", "name=Bert Myyjä", "email=Bert@Example.FI", "roles=Myynti",
                "region=kotka", "supervisor=anna", "planned=true", root=root)
    assert added.exit_code == 0, added.stderr
    assert run("--as", "anna", "region", "set", "kotka", "sales=bert", root=root).exit_code == 0
    assert (root / "users.yaml").read_text() == (
        "anna:\n  name: Anna Admin\n  email: anna@example.fi\n  roles:\n  - admin\n  - customer_service\n"
        "  region: kotka\n  planned: false\n  active: true\n"
        "bert:\n  name: Bert Myyjä\n  email: Bert@example.fi\n  roles:\n  - sales\n  region: kotka\n"
        "  supervisor: anna\n  planned: true\n  active: true\n")
    assert (root / "regions.yaml").read_text() == "kotka:\n  name: Kotka\n  owners:\n    sales: bert\n"
    assert run("--as", "anna", "--format", "csv", "user", "list", root=root).stdout.splitlines()[2] == (
        "bert,Bert Myyjä,Bert@example.fi,sales,kotka,anna,true,true,")
    before = snapshot(root)
    denied = run("--as", "bert", "user", "add", "cid", "name=Cid", "email=cid@example.fi", "roles=sales", root=root)
    assert (denied.exit_code, denied.stderr) == (1, "Virhe: vain ylläpitäjä voi muuttaa käyttäjiä ja alueita (bert ei ole ylläpitäjä)\n")
    assert snapshot(root) == before


@pytest.mark.parametrize("args, problems", [
    (["user", "add", "cid", "name=Cid", "email=cid@example.fi", "roles=seller", "region=kotka"],
     ["  roles (Roolit): 'seller' ei ole sallittu arvo; sallitut: customer_service, sales, technical, admin"]),
    (["user", "add", "cid", "name=Cid", "email=cid@example.fi", "roles=sales", "region=atlantis"],
     ["  region (Alue): tuntematon alue 'atlantis'"]),
    (["user", "add", "cid", "name=Cid", "email=cid@example.fi", "roles=sales", "supervisor=zed"],
     ["  supervisor (Esimies): tuntematon käyttäjä 'zed'"]),
    (["user", "add", "cid", "name=Cid\nX", "email=cid", "roles=sales", "shoe_size=44"],
     ["  name (Nimi): arvon pitää olla yksi rivi",
      "  email (Sähköpostiosoite): virheellinen arvo: pitää sisältää tasan yksi @-merkki",
      "  shoe_size (shoe_size): tuntematon kenttä"]),
    (["user", "add", "cid", "roles=sales"],
     ["  name (Nimi): pakollinen tieto", "  email (Sähköpostiosoite): pakollinen tieto"]),
    (["region", "set", "kotka", "sales=nobody"], ["  sales (Myynti): tuntematon käyttäjä 'nobody'"]),
    (["region", "set", "kotka", "janitor=anna"],
     ["  janitor (janitor): tuntematon rooli; roolit: customer_service, sales, technical, admin"]),
    (["region", "add", "oulu", "name=Oulu\nKemi"], ["  name (Nimi): arvon pitää olla yksi rivi"]),
])
def test_bad_users_and_regions_are_rejected_and_change_nothing(run, bootstrapped, args, problems):
    before = snapshot(bootstrapped)
    result = run("--as", "anna", *args, root=bootstrapped)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.splitlines() == ["Virhe: tietue rikkoo näitä sääntöjä:", *problems]
    assert snapshot(bootstrapped) == before


@pytest.mark.parametrize("args, error", [
    (["user", "add", "../x", "name=X"], "Virhe: ei kelvollinen käyttäjätunnus (pienet kirjaimet, numerot, . _ -): '../x'"),
    (["region", "add", "Ou lu"], "Virhe: ei kelvollinen alueen avain (pienet kirjaimet, numerot, _): 'Ou lu'"),
])
def test_bad_handles_and_region_keys_are_data_errors(run, bootstrapped, args, error):
    result = run("--as", "anna", *args, root=bootstrapped)
    assert (result.exit_code, result.stderr) == (1, error + "\n")


def test_records_naming_unknown_users_or_regions_are_rejected(run, store):
    result = run("--lang", "en", "customer", "new", "name=Oy", "kind=person", "seller=nobody", "region=atlantis")
    assert result.stderr.splitlines() == ["Error: the record breaks these rules:",
                                          "  seller (Responsible seller): unknown user 'nobody'",
                                          "  region (Region): unknown region 'atlantis'"]

