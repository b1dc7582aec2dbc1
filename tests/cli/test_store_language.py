"""Validator reasons and check messages reach the command line in the store's language (from test_messages)."""

import pytest


@pytest.mark.parametrize("pair, problem", [
    ("business_id=1572860-1", "  business_id (Y-tunnus): virheellinen arvo: tarkistusnumero ei täsmää"),
    ("business_id=1572860", "  business_id (Y-tunnus): virheellinen arvo: muodon pitää olla 1234567-8"),
    ("personal_id=131052-308A", "  personal_id (Henkilötunnus): virheellinen arvo: tarkistusmerkki ei täsmää"),
    ("phone=12345", "  phone (Puhelinnumero): virheellinen arvo: pitää alkaa +, 00 tai 0"),
    ("email=matti@@example.fi", "  email (Sähköpostiosoite): virheellinen arvo: pitää sisältää tasan yksi @-merkki"),
    ("billing_address.postal_code=123", "  billing_address (Laskutusosoite): virheellinen arvo: pitää olla 5 numeroa"),
])
def test_validator_reasons_are_finnish_in_a_finnish_store(run, store, pair, problem):
    result = run("customer", "new", "name=Oy Ab", "kind=business", "business_id=1572860-0", pair)
    assert result.exit_code == 1
    assert result.stderr == f"Virhe: tietue rikkoo näitä sääntöjä:\n{problem}\n"


def test_check_reports_in_the_store_language(run, store):
    path = next((store.root / "customers").rglob("CUST-GENERAL.yaml"))
    path.write_text(path.read_text().replace("kind: person", "kind: !!python/name:os.system"))
    checked = run("check")
    assert checked.exit_code == 1
    line = next(n for n, row in enumerate(path.read_text().splitlines(), 1) if row.startswith("kind:"))
    assert checked.stdout == (f"{path.resolve()}:{line}: error: tag: "
                              "YAML-tagit eivät ole sallittuja (tag:yaml.org,2002:python/name:os.system)\n")
    assert checked.stderr == "virheitä: 1, varoituksia: 0\n"
    assert run("--lang", "en", "check").stderr == "1 error(s), 0 warning(s)\n"
