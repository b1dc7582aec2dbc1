"""Confidential fields (cli.md): the mask cannot be probed, values can be erased, a HETU is a real one."""

from conftest import snapshot

HETU = "131052-308T"


def new_customer(run, *extra):
    result = run("customer", "new", "name=Maija Meikäläinen", "kind=person", "phone=040 7654321", *extra)
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def test_a_filter_on_a_confidential_field_needs_reveal(run, store):
    new_customer(run, f"personal_id={HETU}")
    before = snapshot(store.root)
    for args in (("customer", "list", "personal_id~131052-3", "-q"), ("customer", "list", f"personal_id={HETU}"),
                 ("export", "customer", "personal_id~131052")):
        result = run("--lang", "en", *args)
        assert result.exit_code == 1, args
        assert result.stdout == ""
        assert "personal_id" in result.stderr and "--reveal" in result.stderr
    assert snapshot(store.root) == before
    revealed = run("customer", "list", "personal_id~131052-3", "-q", "--reveal")
    assert revealed.exit_code == 0 and revealed.stdout.strip()


def test_a_personal_id_born_in_the_future_is_invalid(run, monkeypatch):
    # 010150A... is born in 2050; at NOW (2011) that is in the future.
    result = run("--lang", "en", "customer", "new", "name=Tuleva", "kind=person", "phone=040 7654321",
                 "personal_id=010150A002D")
    assert result.exit_code == 1
    assert "date of birth is in the future" in result.stderr


def test_erase_removes_a_personal_value_from_the_record_and_its_whole_history(run, store):
    customer = new_customer(run, f"personal_id={HETU}")
    assert run("customer", "set", customer, "personal_id=010594Y9021").exit_code == 0
    assert run("customer", "set", customer, "personal_id=").exit_code == 0
    path = store.path_of(customer)
    assert HETU in path.read_text(encoding="utf-8")  # clearing the field kept every value in the history
    result = run("customer", "erase", customer, "personal_id")
    assert result.exit_code == 0, result.stderr
    text = path.read_text(encoding="utf-8")
    assert HETU not in text and "010594Y9021" not in text and "308T" not in text
    record = store.get(customer)
    assert "personal_id" not in record
    changes = [e["changes"]["personal_id"] for e in record["history"] if "personal_id" in (e.get("changes") or {})]
    assert changes == [["[erased]", "[erased]"], ["[erased]", None]]
    last = record["history"][-1]
    assert last["event"] == "erased" and last["fields"] == ["personal_id"] and last["by"] == "mette.murto"
    history = run("customer", "history", customer, "--reveal")
    assert "[erased]" in history.stdout and "010594" not in history.stdout
    assert run("customer", "erase", customer, "personal_id").exit_code == 0  # nothing left: nothing written
    assert store.get(customer) == record
    checked = run("check")
    assert checked.exit_code == 0, checked.stdout + checked.stderr


def test_erase_is_for_admins_and_personal_fields_only(run, store):
    customer = new_customer(run, f"personal_id={HETU}")
    before = snapshot(store.root)
    refused = run("--lang", "en", "--as", "taija.halme", "customer", "erase", customer, "personal_id")
    assert refused.exit_code == 1 and "admin" in refused.stderr
    not_personal = run("--lang", "en", "customer", "erase", customer, "phone")
    assert not_personal.exit_code == 1 and "personal_id" in not_personal.stderr
    unknown = run("--lang", "en", "customer", "erase", customer, "bogus")
    assert unknown.exit_code == 1 and "bogus" in unknown.stderr
    assert run("customer", "erase", customer).exit_code == 2
    assert snapshot(store.root) == before


def test_quality_report_finds_customers_with_the_same_personal_id_without_printing_it(run):
    first = new_customer(run, f"personal_id={HETU}")
    second = run("customer", "new", "name=M. Meikäläinen", "kind=person", "phone=050 1111111",
                 f"personal_id={HETU}").stdout.strip()
    other = run("customer", "new", "name=Joku Muu", "kind=person", "phone=050 2222222",
                "personal_id=010594Y9021").stdout.strip()
    for fmt in ("table", "json", "yaml", "md"):
        result = run("--lang", "en", "--format", fmt, "report", "quality")
        assert result.exit_code == 0, result.stderr
        assert HETU not in result.stdout and "308T" not in result.stdout and "9021" not in result.stdout
    data = __import__("json").loads(run("--format", "json", "report", "quality").stdout)
    duplicates = [d for d in data["duplicates"] if "personal_id" in d["same"]]
    assert [d["ids"] for d in duplicates] == [sorted([first, second])]
    assert other not in str(data["duplicates"])
