"""Validate and normalise field values.

Each function returns the normalised value or raises ValueError with a short
message meant to follow a field label ("Phone: must start with +, 00 or 0").
Surrounding whitespace is ignored. Patterns use [0-9], not \\d, so that
non-ASCII digits are rejected.
"""

import re
from datetime import date
from functools import lru_cache

from crmctl.kernel.clock import Clock

# Longer input is rejected before any pattern runs, so huge values fail fast.
MAX_LENGTH = 254

BUSINESS_ID = re.compile(r"([0-9]{6,7})-([0-9])")
BUSINESS_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)

PERSONAL_ID = re.compile(r"([0-9]{2})([0-9]{2})([0-9]{2})([-+A-FU-Y])([0-9]{3})([0-9A-Z])")
PERSONAL_ID_CONTROL = "0123456789ABCDEFHJKLMNPRSTUVWXY"
CENTURY_BY_SIGN = {"+": 1800, **dict.fromkeys("-YXWVU", 1900), **dict.fromkeys("ABCDEF", 2000)}

PHONE = re.compile(r"\+?[0-9 ()-]+")
# Numbers without a country code are Finnish: the region phonenumbers reads a trunk 0 for.
PHONE_REGION = "FI"
# RFC 5321's limit on the part before the @ (email-validator leaves it to the caller).
EMAIL_LOCAL_MAX = 64
# A domain that email-validator accepts, used to tell which side of the @ it refused.
SOUND_DOMAIN = "example.fi"

# Without phonenumbers or email-validator (a Python where crmctl runs from a checkout without them), values are
# checked by crmctl's own basic rule instead of failing every command that reads one: the field types so checked
# in this process, by the package that was missing. The command says so on stderr, and `check` does not compare
# such values' stored form (the basic rule cannot know every number's grouping in the number plan).
REDUCED = {}
TWO_DIGIT_AREA = re.compile(r"1|4|50|7")  # Finnish area codes of two digits (the basic phone rule)
EMAIL_LOCAL = re.compile(r"[^\s@.]+(\.[^\s@.]+)*")
DOMAIN_LABEL = re.compile(r"[^\W_]([\w-]{0,61}[^\W_])?")


# field type -> (module, distribution) of the library that checks it fully
LIBRARIES = {"phone": ("phonenumbers", "phonenumbers"), "email": ("email_validator", "email-validator")}


def reduced(field_type) -> bool:
    """Whether values of `field_type` were checked by the basic rule in this process (a package was missing)."""
    return field_type in REDUCED


def libraries_missing() -> tuple:
    """The field types whose library is not installed here (found without importing it): only the basic rule
    checks them. What cached findings depend on."""
    import importlib.util

    return tuple(field_type for field_type, (module, _package) in LIBRARIES.items()
                 if importlib.util.find_spec(module) is None)


def note_basic_rules():
    """Note in REDUCED every field type only the basic rule can check here, as if a value had been checked: a
    check answered from findings kept by an earlier run here was made by the same rules, and says so too."""
    for field_type in libraries_missing():
        REDUCED[field_type] = LIBRARIES[field_type][1]


def _text(value) -> str:
    """The stripped string, or ValueError for non-strings, empty and huge values."""
    if not isinstance(value, str):
        raise ValueError("must be text")
    if len(value) > MAX_LENGTH:
        raise ValueError("is too long")
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    return value


def business_id(value: str) -> str:
    """Finnish Y-tunnus `NNNNNNN-C`; the old 6-digit form is zero-padded to 7."""
    text = _text(value)
    match = BUSINESS_ID.fullmatch(text)
    if not match:
        raise ValueError("must be of the form 1234567-8")
    digits, check = match.group(1).zfill(7), int(match.group(2))
    remainder = sum(int(d) * w for d, w in zip(digits, BUSINESS_ID_WEIGHTS)) % 11
    if remainder == 1:
        raise ValueError("cannot have a valid check digit")
    if check != (0 if remainder == 0 else 11 - remainder):
        raise ValueError("check digit does not match")
    return f"{digits}-{check}"


def personal_id(value: str) -> str:
    """Finnish HETU `DDMMYYCZZZQ`, returned in upper case.

    Century signs: `+` 1800s, `-YXWVU` 1900s, `ABCDEF` 2000s. The individual
    number ZZZ is 002-899, or 900-999 for temporary ids.
    """
    text = _text(value).upper()
    match = PERSONAL_ID.fullmatch(text)
    if not match:
        raise ValueError("must be of the form DDMMYYCZZZQ")
    day, month, year, sign, individual, control = match.groups()
    try:
        born = date(CENTURY_BY_SIGN[sign] + int(year), int(month), int(day))
    except ValueError:
        raise ValueError("date of birth is not a real date") from None
    if born > Clock().today():
        raise ValueError("date of birth is in the future")
    if int(individual) < 2:
        raise ValueError("individual number must be 002-999")
    if control != PERSONAL_ID_CONTROL[int(day + month + year + individual) % 31]:
        raise ValueError("check character does not match")
    return text


def mask_personal_id(value: str) -> str:
    """`131052-308T` -> `131052-****`: keep the date and century sign only.

    A value shorter than a HETU is masked entirely: it is not a well-formed
    id, so its first characters could be anything.
    """
    value = value.strip()
    if len(value) < 11:
        return "*" * len(value)
    return value[:7] + "*" * (len(value) - 7)


def phone(value: str) -> str:
    """A phone number in libphonenumber's international form (`020 123456` -> `+358 20 123456`).

    Digits with optional spaces, hyphens and parentheses, starting with `+`,
    `00` or a trunk `0` (a Finnish number). The library knows each country's
    number plan, so `0800 12345` keeps its three-digit service prefix and
    `0123456`, which no Finnish number starts like, is refused. phonenumbers
    is imported here: most commands never read a phone number and its
    metadata costs start-up time.
    """
    return _phone(_text(value))


# The libraries take some twenty times as long as the regular expressions they replace; `check` converts each
# stored value twice (validation, then stored-form), and a store repeats its customers' numbers and addresses.
@lru_cache(maxsize=4096)
def _phone(text):
    if not PHONE.fullmatch(text):
        raise ValueError("may contain only digits, spaces, hyphens, parentheses and a leading +")
    digits = re.sub(r"[^0-9]", "", text)
    trunk = digits.startswith("0") and not digits.startswith("00")  # `(0)0 46...` is neither 00 nor a trunk 0
    if not (text.startswith("+") or text.startswith("00") or trunk):
        raise ValueError("must start with +, 00 or 0")
    try:
        import phonenumbers
    except ModuleNotFoundError:
        REDUCED["phone"] = LIBRARIES["phone"][1]
        return _basic_phone(text)
    try:
        number = phonenumbers.parse(text, PHONE_REGION)
    except phonenumbers.NumberParseException:
        raise ValueError("is not a valid phone number") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError("is not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _basic_phone(text):
    """`+358 AREA SUBSCRIBER` for a Finnish number (`+358`, `00358` or a trunk 0), else `+` and the writer's digit
    groups: the number plan unknown, only the length is checked (6-12 national digits, 7-15 international)."""
    if text.startswith(("+", "00")):
        groups = re.findall(r"[0-9]+", text[1:] if text.startswith("+") else text[2:])
        digits = "".join(groups)
        if not digits.startswith("358"):
            if not 7 <= len(digits) <= 15:
                raise ValueError("is not a valid phone number")
            return "+" + " ".join(groups)
        national = digits[3:].removeprefix("0")
    else:
        national = re.sub(r"[^0-9]", "", text)[1:]
    if not 6 <= len(national) <= 12 or national.startswith("0"):
        raise ValueError("is not a valid phone number")
    area_length = 2 if TWO_DIGIT_AREA.match(national) else 1
    return f"+358 {national[:area_length]} {national[area_length:]}"  # as phonenumbers writes most numbers


def email(value: str) -> str:
    """An e-mail address as email-validator normalises it (domain in lower case, Unicode kept).

    Internationalised names and domains are accepted (`Matti.Meikäläinen@example.fi`,
    `matti@esimerkki-yhtiö.fi`); IP addresses and special-use domains
    (`localhost`, `.test`) are not. No DNS lookup is made: records are
    written offline.
    """
    return _email(_text(value))


@lru_cache(maxsize=4096)
def _email(text):
    if text.count("@") != 1:
        raise ValueError("must contain exactly one @")
    local, _ = text.split("@")
    if not local:
        raise ValueError("must have a name before the @")
    if len(local) > EMAIL_LOCAL_MAX:
        raise ValueError("has an invalid name before the @")
    try:
        from email_validator import EmailNotValidError, validate_email
    except ModuleNotFoundError:
        REDUCED["email"] = LIBRARIES["email"][1]
        return _basic_email(text)
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError:
        pass
    try:
        validate_email(f"{local}@{SOUND_DOMAIN}", check_deliverability=False)
    except EmailNotValidError:
        raise ValueError("has an invalid name before the @") from None
    raise ValueError("has an invalid domain after the @")


def _basic_email(text):
    """The address with its domain in lower case: a name without spaces or stray dots, a domain of two or more
    labels of letters, digits and inner hyphens (Unicode ones too)."""
    local, domain = text.split("@")
    if not EMAIL_LOCAL.fullmatch(local):
        raise ValueError("has an invalid name before the @")
    labels = domain.split(".")
    if len(labels) < 2 or not all(DOMAIN_LABEL.fullmatch(label) for label in labels):
        raise ValueError("has an invalid domain after the @")
    return f"{local}@{domain.lower()}"


def postal_code(value) -> str:
    """Finnish postal code: exactly 5 digits, as a string.

    An int is zero-padded (`2100` -> `"02100"`): a value that was parsed as a
    number has lost its leading zeros. A string must have all 5 digits.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        if not 0 <= value <= 99999:
            raise ValueError("must be 5 digits")
        return f"{value:05d}"
    text = _text(value)
    if not re.fullmatch(r"[0-9]{5}", text):
        raise ValueError("must be 5 digits")
    return text
