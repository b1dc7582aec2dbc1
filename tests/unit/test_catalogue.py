"""The message catalogues: one per language, the same keys and placeholders in each, every key used."""

import re
import string
from pathlib import Path

import pytest

import crmctl
from crmctl.kernel.i18n import LANGUAGES, catalogue

PACKAGE = Path(crmctl.__file__).parent
# Keys the code builds from a code or a name (`t(f"check.{code}", ...)`): the family prefix stands for them.
BUILT_KEY_PREFIXES = ("check.", "yaml.", "reason_", "note_")


def placeholders(text):
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def flat(lang):
    return {key: value for key, value in catalogue(lang).items() if isinstance(value, str)}


def test_every_language_has_the_same_keys():
    keys = [set(catalogue(lang)) for lang in LANGUAGES]
    assert all(k == keys[0] for k in keys)
    assert set(catalogue("fi")["reasons"]) == set(catalogue("en")["reasons"])


@pytest.mark.parametrize("key", sorted(flat("en")))
def test_every_message_is_worded_with_the_same_placeholders(key):
    texts = [flat(lang)[key] for lang in LANGUAGES]
    assert all(texts)
    assert all(placeholders(text) == placeholders(texts[0]) for text in texts)


def test_every_catalogue_key_is_used_in_the_code():
    source = "\n".join(path.read_text(encoding="utf-8") for path in PACKAGE.rglob("*.py"))
    source += "\n".join(path.read_text(encoding="utf-8") for path in (PACKAGE.parent / "templates").rglob("*")
                        if path.is_file())
    unused = [key for key in flat("en")
              if not re.search(rf"""["']{re.escape(key)}["']""", source) and not key.startswith(BUILT_KEY_PREFIXES)]
    assert unused == []
