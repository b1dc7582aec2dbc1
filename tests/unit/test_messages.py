"""Every message and validator reason people can see exists in Finnish and English."""

import ast
import re
import string
from pathlib import Path

import pytest

import crmctl
from crmctl.kernel import validators
from crmctl.kernel.i18n import catalogue, has, t, translate

PACKAGE = Path(crmctl.__file__).parent


def placeholders(text):
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def string_arguments(module_path, call_names):
    """Constant first arguments of calls to `call_names` in a module."""
    tree = ast.parse(Path(module_path).read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in call_names and isinstance(node.args[0].value, str):
                found.add(node.args[0].value)
    return found


def test_every_validator_reason_has_a_finnish_translation():
    reasons = string_arguments(validators.__file__, {"ValueError"})
    assert len(reasons) >= 15  # the scan finds them: 19 since phonenumbers replaced the digit-count reasons
    missing = sorted(reasons - set(catalogue("fi")["reasons"]))
    assert missing == []
    assert sorted(set(catalogue("fi")["reasons"]) - reasons) == []  # no stale translations


@pytest.mark.parametrize("module", sorted(p.name for p in PACKAGE.rglob("*.py")))
def test_every_message_key_used_in_the_code_exists(module):
    path = next(PACKAGE.rglob(module))
    assert sorted(k for k in string_arguments(path, {"t", "both"}) if not has(k)) == []


def test_every_yaml_error_and_check_code_has_a_message():
    yaml_codes = set()
    for name in ("kernel/yamlio.py", "store/store.py"):
        yaml_codes |= set(re.findall(r'YamlError\([^\n]*?, [^\n]*?, "([a-z-]+)"', (PACKAGE / name).read_text()))
    assert {"encoding", "conflict", "alias", "anchor", "tag", "yaml", "not-mapping"} <= yaml_codes
    yaml_codes.discard("id-mismatch")  # `check` reports this one itself, as check.id-mismatch
    assert sorted(c for c in yaml_codes if not has(f"yaml.{c}")) == []


def test_validator_reasons_are_translated_only_into_finnish():
    assert translate("check digit does not match", "fi") == "tarkistusnumero ei täsmää"
    assert translate("check digit does not match", "en") == "check digit does not match"
    assert t("invalid", "fi", reason=translate("must be 5 digits", "fi")) == "virheellinen arvo: pitää olla 5 numeroa"
