"""Issue 15 item 8: phone and email rules from phonenumbers and email-validator, and `check`'s stored-form."""

import re

from conftest import new_request


def test_phone_is_stored_in_the_library_international_form(run, store):
    record_id = new_request(run, "email=Matti.Meikäläinen@example.fi")
    assert run("sr", "set", record_id, "phone=020 123456").exit_code == 0
    record = store.get(record_id)
    assert record["phone"] == "+358 20 123456"
    assert record["email"] == "Matti.Meikäläinen@example.fi"
    assert "phone: +358 20 123456\n" in store.path_of(record_id).read_text(encoding="utf-8")


def test_invalid_phone_and_ip_domain_are_refused(run, store):
    record_id = new_request(run)
    result = run("--lang", "en", "sr", "set", record_id, "phone=0123456")
    assert result.exit_code == 1
    assert "is not a valid phone number" in result.stderr
    result = run("--lang", "en", "sr", "set", record_id, "email=user@123.123.123.123")
    assert result.exit_code == 1
    assert "has an invalid domain after the @" in result.stderr
    result = run("sr", "set", record_id, "phone=0123456")
    assert "ei ole kelvollinen puhelinnumero" in result.stderr


def test_check_warns_of_old_stored_forms_and_set_rewrites_them(run, store):
    record_id = new_request(run)
    path = store.path_of(record_id)
    text = path.read_text(encoding="utf-8")
    # what the hand-written rule stored for 020 123456 and for a mixed-case domain before email-validator
    text = text.replace("phone: +358 40 1234567\n", "phone: +358 2 012 3456\n")
    path.write_text(text, encoding="utf-8")
    assert store.get(record_id)["phone"] == "+358 2 012 3456"  # the old form still loads

    result = run("--lang", "en", "check")
    assert result.exit_code == 0, result.stdout
    line = next(row for row in result.stdout.splitlines() if "stored-form" in row)
    number = next(i for i, row in enumerate(text.splitlines(), 1) if row.startswith("phone:"))
    assert re.fullmatch(rf".*{record_id}\.yaml:{number}: warning: stored-form: phone \(Phone\): stored as "
                        r"'\+358 2 012 3456', which is now written '\+358 20 123456' "
                        r"\(`set` the field again to rewrite it\)", line)
    assert "tallennettu muodossa '+358 2 012 3456'" in run("check").stdout

    assert run("sr", "set", record_id, "phone=+358 2 012 3456").exit_code == 0
    assert "phone: +358 20 123456\n" in path.read_text(encoding="utf-8")
    assert "stored-form" not in run("check").stdout
