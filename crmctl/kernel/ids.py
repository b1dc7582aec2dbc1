"""Record ids: PREFIX-YYYYMMDD-XXXXX with five random Crockford base32 characters."""

import re
import secrets
from contextlib import contextmanager
from datetime import date

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RANDOM_ID = re.compile(r"^([A-Z]{2,10})-(\d{8})-([0-9A-HJKMNP-TV-Z]{5})$")
SYSTEM_ID = re.compile(r"^([A-Z]{2,10})-([A-Z]{3,20})$")
# What a user may type to name a record: an id or the start of one, nothing path-like.
ID_PREFIX = re.compile(r"^[A-Za-z]{2,10}(-[0-9A-Za-z]{0,20}){0,2}$")


# The source of randomness: `secrets`, or a seeded random.Random while `seeded()` is active.
_source = secrets


@contextmanager
def seeded(generator):
    """Draw ids from `generator` (a random.Random): reproducible ids for the demo store."""
    global _source
    previous, _source = _source, generator
    try:
        yield
    finally:
        _source = previous


def new_id(prefix, day, taken=lambda candidate: False):
    """A fresh random id for a record created on `day`; retries while `taken`."""
    for _ in range(100):
        suffix = "".join(_source.choice(CROCKFORD) for _ in range(5))
        candidate = f"{prefix}-{day:%Y%m%d}-{suffix}"
        if not taken(candidate):
            return candidate
    raise RuntimeError(f"no free id for {prefix} on {day}")


def is_valid(record_id):
    return isinstance(record_id, str) and bool(RANDOM_ID.match(record_id) or SYSTEM_ID.match(record_id))


def prefix_of(record_id):
    return record_id.split("-", 1)[0]


def day_of(record_id):
    """The creation date in a random id, or None for a fixed system id."""
    match = RANDOM_ID.match(record_id)
    if not match:
        return None
    digits = match.group(2)
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None
