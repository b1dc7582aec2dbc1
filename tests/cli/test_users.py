"""`crmctl user add/set/list`: a user's `initials`, the signature in delegation's actions line."""

from conftest import new_request, snapshot


def test_user_set_initials_signs_delegations(run, store):
    result = run("user", "set", "taija.halme", "initials=TaH")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    assert store.config.users["taija.halme"]["initials"] == "TaH"
    assert "  initials: TaH\n" in (store.root / "users.yaml").read_text()
    record_id = new_request(run)
    assert run("sr", "delegate", record_id, "taija.halme").exit_code == 0
    assert run("sr", "delegate", record_id, "sanna.salo", "--as", "taija.halme").exit_code == 0
    assert store.get(record_id)["actions"].splitlines()[-1] == (
        "Delegoitu: käyttäjälle Sanna Salo, delegoija TaH, 2011-01-25")


def test_user_add_with_initials_and_list_shows_them(run, store):
    result = run("user", "add", "olli.ohut", "name=Olli Ohut", "email=olli.ohut@example.fi",
                 "roles=sales", "initials=öo")
    assert result.exit_code == 0, result.stderr
    assert store.config.users["olli.ohut"] == {"name": "Olli Ohut", "initials": "öo", "email": "olli.ohut@example.fi",
                                               "roles": ["sales"], "planned": False, "active": True}
    lines = run("user", "list", "--format", "csv").stdout.splitlines()
    assert lines[0] == "handle,name,email,roles,region,supervisor,planned,active,initials"
    assert "olli.ohut,Olli Ohut,olli.ohut@example.fi,sales,,,false,true,öo" in lines
    table = run("user", "list", "--lang", "en").stdout.splitlines()
    assert table[0].split()[-1] == "Initials"
    assert run("user", "list").stdout.splitlines()[0].split()[-1] == "Nimikirjaimet"


def test_invalid_initials_are_refused_and_change_nothing(run, store):
    before = snapshot(store.root)
    for value in ("m1", "abcdef", "m.m", "m m"):
        result = run("user", "set", "taija.halme", f"initials={value}")
        assert result.exit_code == 1, value
        assert result.stderr == ("Virhe: tietue rikkoo näitä sääntöjä:\n"
                                 "  initials (Nimikirjaimet): pitää olla 1–5 kirjainta\n"), value
    result = run("user", "add", "olli.ohut", "name=Olli Ohut", "email=olli.ohut@example.fi", "roles=sales",
                 "initials=olli1", "--lang", "en")
    assert result.exit_code == 1
    assert result.stderr == "Error: the record breaks these rules:\n  initials (Initials): must be 1–5 letters\n"
    assert snapshot(store.root) == before
