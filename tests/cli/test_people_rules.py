"""People (issue 11, item 12): inactive users do not act, default owners can take the work, emails are unique,
and a frozen now in UTC is read in the store's time zone."""

from conftest import new_request, snapshot


def test_an_inactive_user_cannot_write(run, store):
    sr = new_request(run)
    assert run("user", "set", "taija.halme", "active=false").exit_code == 0
    before = snapshot(store.root)
    for args in (("sr", "set", sr, "title=Uusi"), ("sr", "new", "title=x", "customer=CUST-GENERAL",
                                                    "person_name=A B", "subject=billing", "phone=040 1234567")):
        result = run("--lang", "en", "--as", "taija.halme", *args)
        assert result.exit_code == 1, args
        assert "taija.halme" in result.stderr and "not active" in result.stderr
    assert snapshot(store.root) == before


def test_region_default_owners_are_active_and_have_the_role(run, store):
    assert run("user", "set", "kaisa.kauppinen", "active=false").exit_code == 0
    before = snapshot(store.root)
    inactive = run("--lang", "en", "region", "set", "kotka", "sales=kaisa.kauppinen")
    assert inactive.exit_code == 1 and "kaisa.kauppinen" in inactive.stderr
    roleless = run("--lang", "en", "region", "set", "kotka", "sales=teemu.tekninen")
    assert roleless.exit_code == 1 and "teemu.tekninen" in roleless.stderr and "sales" in roleless.stderr
    new_region = run("--lang", "en", "region", "add", "oulu", "name=Oulu", "technical=jussi.myyja")
    assert new_region.exit_code == 1 and "jussi.myyja" in new_region.stderr
    assert snapshot(store.root) == before
    assert run("region", "set", "kotka", "sales=jussi.myyja").exit_code == 0


def test_user_add_refuses_an_email_another_user_has(run, store):
    before = snapshot(store.root)
    result = run("--lang", "en", "user", "add", "uusi.ihminen", "name=Uusi Ihminen",
                 "email=Taija.Halme@example.fi", "roles=customer_service")
    assert result.exit_code == 1 and "taija.halme" in result.stderr
    changed = run("--lang", "en", "user", "set", "jussi.myyja", "email=taija.halme@example.fi")
    assert changed.exit_code == 1 and "taija.halme" in changed.stderr
    assert snapshot(store.root) == before
    assert run("user", "set", "jussi.myyja", "email=jussi.myyja@example.fi").exit_code == 0  # its own: fine


def test_a_utc_now_stamps_the_stores_date(run, store, monkeypatch):
    # 22:30Z on 3 January is 00:30 on 4 January in Helsinki.
    monkeypatch.setenv("CRMCTL_NOW", "2011-01-03T22:30:00Z")
    sr = new_request(run)
    assert sr.startswith("SR-20110104-")
    record = store.get(sr)
    created = record["history"][0]["at"]
    assert created.isoformat() == "2011-01-04T00:30:00+02:00"


def test_work_is_not_routed_to_a_default_owner_who_has_since_left(run, store):
    assert run("user", "set", "jussi.myyja", "active=false").exit_code == 0  # kotka's default seller
    before = snapshot(store.root)
    result = run("--lang", "en", "lead", "new", "title=Kaasulämmitys", "customer=CUST-GENERAL", "region=kotka",
                 "topic=heating", "person_name=Matti M", "phone=040 1234567")
    assert result.exit_code == 1, result.stdout
    assert "owner" in result.stderr
    assert snapshot(store.root) == before
