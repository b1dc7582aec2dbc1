"""Validate and normalise field values.

Each function returns the normalised value or raises ValueError with a short
message meant to follow a field label ("Phone: must start with +, 00 or 0").
Surrounding whitespace is ignored. Patterns use [0-9], not \\d, so that
non-ASCII digits are rejected.
"""

import re
from datetime import date

from crmctl.kernel.clock import Clock

# Longer input is rejected before any pattern runs, so huge values fail fast.
MAX_LENGTH = 254

BUSINESS_ID = re.compile(r"([0-9]{6,7})-([0-9])")
BUSINESS_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)

PERSONAL_ID = re.compile(r"([0-9]{2})([0-9]{2})([0-9]{2})([-+A-FU-Y])([0-9]{3})([0-9A-Z])")
PERSONAL_ID_CONTROL = "0123456789ABCDEFHJKLMNPRSTUVWXY"
CENTURY_BY_SIGN = {"+": 1800, **dict.fromkeys("-YXWVU", 1900), **dict.fromkeys("ABCDEF", 2000)}

PHONE = re.compile(r"\+?[0-9 ()-]+")
# Area codes of two digits: 1x (landline), 4x and 50 (mobile), 7x (national services).
TWO_DIGIT_AREA = re.compile(r"1|4|50|7")

EMAIL_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
DOMAIN_LABEL = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")


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
    """Finnish or international phone number in international form.

    Digits with optional spaces, hyphens and parentheses. `+358`, `00358` or a
    trunk `0` marks a Finnish number (a `0` right after 358, as in
    `+358 (0)40`, is dropped); other `+CC` or `00CC` numbers are international.

    Finnish numbers become `+358 AREA FIRST LAST`: the area code has two digits
    when the national number starts with 1, 4, 50 or 7 (40, 50, 13, 75...),
    otherwise one (2, 3, 5, 6, 8, 9). The subscriber digits after it split
    into two groups: the last 4 when there are 7 or more, otherwise halves
    with the longer first (3+3, 3+2). So `040 1234567` -> `+358 40 123 4567`
    and `09 1234 5678` -> `+358 9 1234 5678`. National numbers need 6-12
    digits.

    International numbers keep their digits and the writer's grouping:
    `+` then digit groups separated by single spaces. They need 7-15 digits.
    """
    text = _text(value)
    if not PHONE.fullmatch(text):
        raise ValueError("may contain only digits, spaces, hyphens, parentheses and a leading +")
    if text.startswith("+"):
        return _international_phone(text[1:])
    if text.startswith("00"):
        return _international_phone(text[2:])
    digits = re.sub(r"[^0-9]", "", text)
    if digits.startswith("0") and not digits.startswith("00"):
        return _finnish_phone(digits[1:])
    raise ValueError("must start with +, 00 or 0")


def _international_phone(number: str) -> str:
    """`+CC ...` from what follows the + or 00; Finnish ones go to _finnish_phone."""
    groups = re.findall(r"[0-9]+", number)
    digits = "".join(groups)
    if digits.startswith("358"):
        return _finnish_phone(digits[3:].removeprefix("0"))
    if not 7 <= len(digits) <= 15:
        raise ValueError("must have 7-15 digits")
    return "+" + " ".join(groups)


def _finnish_phone(national: str) -> str:
    """`+358 AREA FIRST LAST` from the national number without its trunk 0."""
    if not 6 <= len(national) <= 12:
        raise ValueError("must have 6-12 digits after the 0 or +358")
    if national.startswith("0"):
        raise ValueError("has too many leading zeros")
    area_length = 2 if TWO_DIGIT_AREA.match(national) else 1
    area, subscriber = national[:area_length], national[area_length:]
    split = len(subscriber) - 4 if len(subscriber) >= 7 else (len(subscriber) + 1) // 2
    return f"+358 {area} {subscriber[:split]} {subscriber[split:]}"


def email(value: str) -> str:
    """An e-mail address, stripped, with its domain in lower case.

    Local part: letters, digits and `!#$%&'*+/=?^_`{|}~-`, dots only between
    them. Domain: at least two dot-separated labels of ASCII letters, digits
    and inner hyphens (write internationalised domains in their xn-- form).
    """
    text = _text(value)
    if text.count("@") != 1:
        raise ValueError("must contain exactly one @")
    local, domain = text.split("@")
    if not local:
        raise ValueError("must have a name before the @")
    if len(local) > 64 or not EMAIL_LOCAL.fullmatch(local):
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
