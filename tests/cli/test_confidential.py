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
