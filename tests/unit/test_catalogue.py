"""The message catalogues: one per language, the same keys and placeholders in each, every key used."""

import ast
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


# The "done when": at most this many `{"fi": ..., "en": ...}` dicts remain in crmctl's Python code.
MOST_INLINE_TRANSLATIONS = 5


def count_inline_translations(source):
    """How many dict literals in `source` have exactly the constant keys "fi" and "en"."""
    return sum(1 for node in ast.walk(ast.parse(source))
               if isinstance(node, ast.Dict) and len(node.keys) == 2
               and all(isinstance(key, ast.Constant) for key in node.keys)
               and sorted(key.value for key in node.keys) == ["en", "fi"])


def inline_translations():
    """{module path: count} of inline translations in crmctl's modules."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        count = count_inline_translations(path.read_text(encoding="utf-8"))
        if count:
            found[path.relative_to(PACKAGE.parent).as_posix()] = count
    return found


def test_the_scan_finds_fi_en_dicts_and_only_those():
    source = 'A = {"fi": "kyllä", "en": "yes"}\nB = {"en": f"{x}", "fi": "y"}\nC = {"fi": 1, "en": 2, "sv": 3}\nD = {fi: 1, en: 2}\n'
    assert count_inline_translations(source) == 2


# Reports, display, manual and the CLI hold none (they read the catalogue); engine/directory.py's are converted
# with the rest of the core's messages in the same redesign step, and then this test passes.
def test_at_most_five_inline_translations_remain():
    found = inline_translations()
    assert sum(found.values()) <= MOST_INLINE_TRANSLATIONS, found


@pytest.mark.parametrize("room", ["cli", "reports", "present", "manual"])
def test_the_outer_rooms_hold_no_inline_translation(room):
    assert {path: n for path, n in inline_translations().items() if path.startswith(f"crmctl/{room}/")} == {}
