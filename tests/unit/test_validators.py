import time

import pytest

from crmctl.kernel import validators as v

HUGE = "1" * 1_000_000


def hetu_control(nine_digits):
    """The HETU control character, computed here independently of the module."""
    return "0123456789ABCDEFHJKLMNPRSTUVWXY"[int(nine_digits) % 31]


def assert_rejected_quickly(validate, value):
    started = time.perf_counter()
    with pytest.raises(ValueError):
        validate(value)
    assert time.perf_counter() - started < 0.5


# business_id

@pytest.mark.parametrize("value", ["0112038-9", "1572860-0", "0737546-2", "2617416-4"])
def test_business_id_valid(value):
    assert v.business_id(value) == value


def test_business_id_strips_and_pads_old_form():
    assert v.business_id("  1572860-0 ") == "1572860-0"
    assert v.business_id("112038-9") == "0112038-9"
    assert v.business_id("737546-2") == "0737546-2"


def test_business_id_wrong_check_digit():
    with pytest.raises(ValueError, match="^check digit does not match$"):
        v.business_id("0112038-8")
    with pytest.raises(ValueError, match="^check digit does not match$"):
        v.business_id("2617416-0")


@pytest.mark.parametrize("check", "0123456789")
def test_business_id_remainder_one_has_no_valid_check_digit(check):
    # 0000006: weighted sum 12, remainder 1.
    with pytest.raises(ValueError, match="^cannot have a valid check digit$"):
        v.business_id(f"0000006-{check}")


@pytest.mark.parametrize("value", [
    "", "   ", "01120389", "0112038 9", "0112038-", "12345-6", "01120380-9",
    "011203A-9", "O112038-9", "0112038-99", "٠112038-9", "1572860—0",
])
def test_business_id_malformed(value):
    with pytest.raises(ValueError):
        v.business_id(value)


@pytest.mark.parametrize("value", [None, 1572860, ["1572860-0"]])
def test_business_id_non_text(value):
    with pytest.raises(ValueError, match="^must be text$"):
        v.business_id(value)


def test_business_id_huge_input():
    assert_rejected_quickly(v.business_id, HUGE)


# personal_id

@pytest.fixture
def after_2023(monkeypatch):
    """Ids born up to 2023 (the new century signs) are in the past, as they are today: a birth date in the
    future makes an id invalid, and the suite's frozen now is in 2011."""
    monkeypatch.setenv("CRMCTL_NOW", "2026-01-01")


def test_hetu_control_helper_matches_official_example():
    assert hetu_control("131052308") == "T"


@pytest.mark.parametrize("value", [
    "131052-308T",   # the official DVV example
    "010594Y9021",   # new 1900s sign (2023), DVV example
    "010594Y9032",
    "020502A960T",   # 900-999: temporary id
    "290200A002C",   # 2000 was a leap year
    "311299+999E",   # 1800s
    "010123B900D",
    "150587U1234",
])
def test_personal_id_valid(value, after_2023):
    assert v.personal_id(value) == value


@pytest.mark.parametrize("birth, sign, individual", [
    ("010199", "-", "002"), ("311299", "+", "899"), ("280218", "F", "123"),
    ("010160", "W", "500"), ("291296", "X", "950"),
])
def test_personal_id_valid_computed(birth, sign, individual, after_2023):
    value = f"{birth}{sign}{individual}{hetu_control(birth + individual)}"
    assert v.personal_id(value) == value


def test_personal_id_uppercases_and_strips():
    assert v.personal_id(" 131052-308t ") == "131052-308T"
    assert v.personal_id("020502a960t") == "020502A960T"


def test_personal_id_wrong_control():
    with pytest.raises(ValueError, match="^check character does not match$"):
        v.personal_id("131052-308U")
    # Same digits, another century sign of the same century: control unchanged, still valid.
    assert v.personal_id("131052Y308T") == "131052Y308T"


@pytest.mark.parametrize("value", [
    "310211-123X",   # no February 31st
    "310211-123D",   # ... even with a matching control character
    "290200-002C",   # 1900 was not a leap year
    "001052-308T",
    "131352-308T",
])
def test_personal_id_impossible_date(value):
    with pytest.raises(ValueError, match="^date of birth is not a real date$"):
        v.personal_id(value)


def test_impossible_date_example_has_matching_control():
    assert hetu_control("310211123") == "D"


@pytest.mark.parametrize("individual", ["000", "001"])
def test_personal_id_individual_number_too_small(individual):
    value = f"131052-{individual}{hetu_control('131052' + individual)}"
    with pytest.raises(ValueError, match="^individual number must be 002-999$"):
        v.personal_id(value)


@pytest.mark.parametrize("value", [
    "", "131052308T", "131052-308", "131052-308TT", "131052G308T", "131052*308T",
    "13105-2308T", "1310522-308T", "131052-3O8T", "131052-308Ä", "131052 -308T",
])
def test_personal_id_malformed(value):
    with pytest.raises(ValueError):
        v.personal_id(value)


def test_personal_id_huge_input():
    assert_rejected_quickly(v.personal_id, "131052-308T" * 100_000)


def test_mask_personal_id():
    assert v.mask_personal_id("131052-308T") == "131052-****"
    assert v.mask_personal_id(" 020502A960T ") == "020502A****"


def test_mask_personal_id_masks_short_values_entirely():
    assert v.mask_personal_id("131052") == "******"
    assert v.mask_personal_id("") == ""


# phone (phonenumbers, region FI: the international form libphonenumber writes)

@pytest.mark.parametrize("value", [
    "040 1234567", "0401234567", "040-123 4567", "(040) 123 4567", "+358401234567",
    "+358 40 123 4567", "00358 40 1234567", "+358 (0)40 123 4567", " +358-40-123-4567 ",
])
def test_phone_finnish_mobile_forms_agree(value):
    assert v.phone(value) == "+358 40 1234567"


@pytest.mark.parametrize("value, expected", [
    ("020 123456", "+358 20 123456"),  # the hand-written rule made this +358 2 012 3456
    ("0800 12345", "+358 800 12345"),  # and this +358 8 001 2345
    ("050 1234567", "+358 50 1234567"),
    ("09 1234 5678", "+358 9 12345678"),
    ("(09) 123 4567", "+358 9 1234567"),
    ("02 123 4567", "+358 2 1234567"),
    ("013 123 4567", "+358 13 1234567"),
    ("+358 9 12345678", "+358 9 12345678"),
    ("+358 2 012 3456", "+358 20 123456"),  # the old rule's stored form reads as the number it was
])
def test_phone_finnish_numbers(value, expected):
    assert v.phone(value) == expected


def test_phone_normalised_output_is_stable():
    for value in ["040 1234567", "09 1234 5678", "020 123456", "0800 12345", "+46 8 123 456 78"]:
        normalised = v.phone(value)
        assert v.phone(normalised) == normalised


@pytest.mark.parametrize("value, expected", [
    ("+46 8 123 456 78", "+46 8 123 456 78"),
    ("0046 (8) 123  456 78", "+46 8 123 456 78"),
    ("+4930123456", "+49 30 123456"),
    ("+1 650-253-0000", "+1 650-253-0000"),
])
def test_phone_international(value, expected):
    assert v.phone(value) == expected


@pytest.mark.parametrize("value, message", [
    ("", "^must not be empty$"),
    ("040 123 456a", "^may contain only"),
    ("+358 40 ABC 4567", "^may contain only"),
    ("040.123.4567", "^may contain only"),
    ("358 40 123 4567", "^must start with \\+, 00 or 0$"),
    ("40 123 4567", "^must start with \\+, 00 or 0$"),
    ("(0)0 46 8 123", "^must start with \\+, 00 or 0$"),
    ("0123456", "^is not a valid phone number$"),  # the hand-written rule accepted it
    ("040 123", "^is not a valid phone number$"),
    ("+358 40 123", "^is not a valid phone number$"),
    ("040 1234 5678 901", "^is not a valid phone number$"),
    ("+358 00 40 123 4567", "^is not a valid phone number$"),
    ("+46 8 12", "^is not a valid phone number$"),
    ("+1 (555) 123-4567", "^is not a valid phone number$"),  # 555 numbers are fictional
    ("+", "^may contain only"),
    ("++358 40 123 4567", "^may contain only"),
    ("040 +123 4567", "^may contain only"),
])
def test_phone_rejected(value, message):
    with pytest.raises(ValueError, match=message):
        v.phone(value)


def test_phone_huge_input():
    assert_rejected_quickly(v.phone, HUGE)
    assert_rejected_quickly(v.phone, "0" + " " * 1_000_000)


# email (email-validator, without DNS lookups)

@pytest.mark.parametrize("value, expected", [
    ("mette.murto@example.fi", "mette.murto@example.fi"),
    ("  Mette.Murto@Example.FI ", "Mette.Murto@example.fi"),
    ("a+tag@sub.EXAMPLE-1.com", "a+tag@sub.example-1.com"),
    ("Matti.Meikäläinen@example.fi", "Matti.Meikäläinen@example.fi"),
    ("matti@esimerkki-yhtiö.fi", "matti@esimerkki-yhtiö.fi"),
    ("matti@ESIMERKKI-YHTIÖ.FI", "matti@esimerkki-yhtiö.fi"),
    ("o'brien_1@xn--esimerkki-yhti-8pb.fi", "o'brien_1@esimerkki-yhtiö.fi"),
])
def test_email_valid(value, expected):
    assert v.email(value) == expected


@pytest.mark.parametrize("value, message", [
    ("", "^must not be empty$"),
    ("mette.example.fi", "^must contain exactly one @$"),
    ("a@b@example.fi", "^must contain exactly one @$"),
    ("@example.fi", "^must have a name before the @$"),
    ("mette murto@example.fi", "^has an invalid name before the @$"),
    (".mette@example.fi", "^has an invalid name before the @$"),
    ("mette.@example.fi", "^has an invalid name before the @$"),
    ("mette..murto@example.fi", "^has an invalid name before the @$"),
    ("m" * 65 + "@example.fi", "^has an invalid name before the @$"),
    ("mette@", "^has an invalid domain after the @$"),
    ("mette@localhost", "^has an invalid domain after the @$"),
    ("mette@.example.fi", "^has an invalid domain after the @$"),
    ("mette@example.fi.", "^has an invalid domain after the @$"),
    ("mette@example..fi", "^has an invalid domain after the @$"),
    ("mette@-example.fi", "^has an invalid domain after the @$"),
    ("mette@example-.fi", "^has an invalid domain after the @$"),
    ("mette@exa_mple.fi", "^has an invalid domain after the @$"),
    ("mette@exa mple.fi", "^has an invalid domain after the @$"),
    ("user@123.123.123.123", "^has an invalid domain after the @$"),  # the hand-written rule accepted it
    ("user@[123.123.123.123]", "^has an invalid domain after the @$"),
])
def test_email_rejected(value, message):
    with pytest.raises(ValueError, match=message):
        v.email(value)


def test_email_makes_no_dns_lookup(monkeypatch):
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError("a DNS lookup")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "gethostbyname", refuse)
    assert v.email("matti@esimerkki-yhtiö.fi") == "matti@esimerkki-yhtiö.fi"


def test_email_huge_input():
    assert_rejected_quickly(v.email, "a" * 1_000_000 + "@example.fi")
    assert_rejected_quickly(v.email, "a@" + "b." * 500_000 + "fi")


# postal_code

def test_postal_code_string():
    assert v.postal_code("00100") == "00100"
    assert v.postal_code(" 48100 ") == "48100"


def test_postal_code_int_is_zero_padded():
    assert v.postal_code(100) == "00100"
    assert v.postal_code(48100) == "48100"
    assert v.postal_code(0) == "00000"


@pytest.mark.parametrize("value", [
    "", "100", "0010", "001000", "00 100", "0010A", "FI-00100", "٠٠١٠٠",
    -1, 100000, True, 1.0, None,
])
def test_postal_code_rejected(value):
    with pytest.raises(ValueError):
        v.postal_code(value)


def test_postal_code_messages():
    with pytest.raises(ValueError, match="^must be 5 digits$"):
        v.postal_code("123")
    with pytest.raises(ValueError, match="^must be 5 digits$"):
        v.postal_code(123456)


def test_postal_code_huge_input():
    assert_rejected_quickly(v.postal_code, HUGE)


@pytest.fixture
def without(monkeypatch):
    """Validators as in a Python without the named packages: their imports fail, nothing cached is kept."""
    import sys

    def block(*names):
        for name in names:
            monkeypatch.setitem(sys.modules, name, None)
        v._phone.cache_clear()
        v._email.cache_clear()
        monkeypatch.setattr(v, "REDUCED", {})

    yield block
    v._phone.cache_clear()
    v._email.cache_clear()


def test_without_phonenumbers_phones_are_checked_by_the_basic_rule_and_noted(without):
    without("phonenumbers")
    assert v.phone("040 1234567") == "+358 40 1234567"  # the library's form of a mobile number
    assert v.phone("+358 (0)9 1234 5678") == "+358 9 12345678"
    assert v.phone("+46 8 123 456 78") == "+46 8 123 456 78"
    assert v.reduced("phone") and v.REDUCED == {"phone": "phonenumbers"}
    for bad in ("0401", "+1 23", "0 0401234567", "12345678"):
        with pytest.raises(ValueError):
            v.phone(bad)


def test_without_email_validator_addresses_are_checked_by_the_basic_rule_and_noted(without):
    without("email_validator")
    assert v.email(" Matti.Meikäläinen@Esimerkki-Yhtiö.FI ") == "Matti.Meikäläinen@esimerkki-yhtiö.fi"
    assert v.REDUCED == {"email": "email-validator"} and not v.reduced("phone")
    for bad, message in (("matti@fi", "domain"), ("matti..m@example.fi", "name"), ("ma tti@example.fi", "name"),
                         ("matti@-x.fi", "domain")):
        with pytest.raises(ValueError, match=message):
            v.email(bad)
