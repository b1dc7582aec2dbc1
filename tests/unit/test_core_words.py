"""The core's words: no command-line flag names outside the CLI, no inline translations (the catalogue has them)."""

import ast
import re
from pathlib import Path

import pytest

import crmctl
from crmctl.kernel.errors import CrmError, NotFound
from crmctl.kernel.i18n import LANGUAGES, catalogue

PACKAGE = Path(crmctl.__file__).parent
# The rooms below the CLI whose words are checked here (reports, present, manual and demo are checked by their owners).
CORE_ROOMS = ("kernel", "config", "store", "engine", "workflows", "checks", "io")
FLAG = re.compile(r"--[A-Za-z]")


def core_modules():
    return sorted(path for room in CORE_ROOMS for path in (PACKAGE / room).rglob("*.py"))


def string_literals(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node


def inline_translations(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            keys = {key.value for key in node.keys if isinstance(key, ast.Constant)}
            if set(LANGUAGES) <= keys:
                yield node


@pytest.mark.parametrize("path", core_modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_core_names_no_command_line_flag(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    flags = [(node.lineno, node.value) for node in string_literals(tree) if FLAG.search(node.value)]
    assert flags == []


@pytest.mark.parametrize("path", core_modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_core_has_no_inline_translation(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert [node.lineno for node in inline_translations(tree)] == []


def test_the_checks_find_what_they_look_for():
    tree = ast.parse('raise UsageError("--force needs a reason")\nLABEL = {"fi": "Nimi", "en": "Name"}\n')
    assert [node.value for node in string_literals(tree) if FLAG.search(node.value)] == ["--force needs a reason"]
    assert len(list(inline_translations(tree))) == 1


def test_a_coded_error_is_english_by_default_and_worded_in_the_language_asked():
    err = NotFound(code="directory.no_user", handle="x")
    assert str(err) == "no user 'x'"
    assert err.lines("fi") == ["käyttäjää 'x' ei ole"]


def test_a_label_parameter_is_worded_in_the_language_asked():
    err = NotFound(code="store.no_match_of_type", what={"fi": "asiakkuus", "en": "customer"}, given="C")
    assert (str(err), err.text("fi")) == ("no customer matches 'C'", "'C' ei vastaa yhtään tietuetta (tyyppi: asiakkuus)")


def test_an_error_inside_another_keeps_the_language():
    inner = CrmError(code="directory.no_region", key="oulu")
    outer = CrmError(code="about", what="region", problem=inner.both())
    assert (str(outer), outer.text("fi")) == ("region: no region 'oulu'", "region: aluetta 'oulu' ei ole")


def test_parameters_may_be_called_key_or_lang():
    err = CrmError(code="config.missing_translation", lang="fi", labels="{'en': 'Name'}")
    assert str(err) == "missing fi translation of {'en': 'Name'}"
    assert CrmError(code="config.unknown_view", where="sr.yaml", key="mine").text("fi") == (
        "sr.yaml: tuntematon näkymä 'mine'")


def test_every_error_code_of_the_core_is_in_both_catalogues():
    codes = set()
    for path in core_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.keyword) and node.arg == "code" and isinstance(node.value, ast.Constant):
                codes.add(node.value.value)
    assert len(codes) > 60
    for lang in LANGUAGES:
        assert sorted(code for code in codes if not isinstance(catalogue(lang).get(code), str)) == []
