"""End-to-end smoke test of the foundation through the CLI."""

from conftest import snapshot


def test_new_service_request_missing_fields_is_rejected_and_writes_nothing(run, store):
    before = snapshot(store.root)
    result = run("sr", "new", "title=Mittarilukema", "customer=CUST-GENERAL")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "Virhe: tietue rikkoo näitä sääntöjä:\n"
        "  subject (Aihe): pakollinen tieto\n"
        "  person_name (Henkilön nimi): pakollinen, kun customer = CUST-GENERAL\n"
    )
    assert snapshot(store.root) == before


def test_new_service_request_prints_only_its_id(run, store):
    result = run("sr", "new", "title=Mittarilukema", "customer=CUST-GENERAL", "person_name=Matti",
                 "subject=Mittarilukema", "meter_reading=48213", "phone=040 1234567")
    assert result.exit_code == 0, result.stderr
    record_id = result.stdout.strip()
    assert record_id.startswith("SR-20110125-") and len(record_id) == 17
    assert (store.root / "service-requests" / "2011" / "01" / f"{record_id}.yaml").is_file()
    assert run("check").exit_code == 0
