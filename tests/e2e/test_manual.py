"""crmctl manual: generated from configuration, real examples, no silent fallbacks, check catches drift."""

from pathlib import Path

import pytest

from conftest import snapshot
from crmctl.kernel import ids
from crmctl.manual import builder
from crmctl.cli.manual import run_in_process
from crmctl.config.model import label

REPO = Path(__file__).resolve().parents[2]
LEVEL_TEXT = {"fi": {"required": "pakollinen tieto", "recommended": "suositeltava", "optional": "tarvittaessa syötettävä"},
              "en": {"required": "required", "recommended": "recommended", "optional": "as needed"}}


# Tests that need crmctl's own examples; the others run one short example, to keep the suite quick.
REAL_EXAMPLES = ("test_examples_are_real_output_and_identical_across_builds",)
QUICK_EXAMPLES = """
- id: quick
  place: customer-service/logging
  title: {fi: näkymät, en: views}
  steps:
    - say: {fi: "Katso näkymät:", en: "List the views:"}
      run: [sr, views]
"""


@pytest.fixture
def empty_store(empty_store, request):
    if request.node.name not in REAL_EXAMPLES:
        override = empty_store.root / "templates" / "manual"
        override.mkdir(parents=True, exist_ok=True)
        (override / "examples.yaml").write_text(QUICK_EXAMPLES, encoding="utf-8")
    return empty_store


def build(store, langs=("fi", "en")):
    return builder.build(store, langs, run_in_process)


def table_rows(text, heading):
    """The rows of the first Markdown table after the line starting with `heading`."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(heading))
    rows = []
    for line in lines[start + 1:]:
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip("|").split(" | ")])
        elif rows:
            break
    return rows[2:]  # without header and separator


# -- library ------------------------------------------------------------------------------


@pytest.mark.parametrize("lang, heading", [("fi", "**Taulukko 1.**"), ("en", "**Table 1.**")])
def test_field_table_lists_every_service_request_field_with_its_level(empty_store, lang, heading):
    files = build(empty_store, (lang,))
    rows = table_rows(files[f"{lang}/customer-service.md"], heading)
    rtype = empty_store.config.types["service_request"]
    expected = [f for f in rtype.fields.values() if f.level != "system"]
    assert [row[0] for row in rows] == [f"{label(f.label, lang)} (`{f.key}`)" for f in expected]
    for row, field in zip(rows, expected):
        assert row[1].split(";")[0] == LEVEL_TEXT[lang][field.level], field.key
    by_key = {row[0]: row for row in rows}
    if lang == "fi":
        assert by_key["Puhelinnumero (`phone`)"] == ["Puhelinnumero (`phone`)", "suositeltava", ""]
        assert by_key["Sopimusmuutos (`contract_change`)"][1] == \
            "tarvittaessa syötettävä; pakollinen, kun Aihe on Kaasusopimus"
        assert by_key["Ratkaisu (`resolution`)"][1] == \
            "tarvittaessa syötettävä; pakollinen, kun Tilan syy on Selvitetty tai Valmis"
    else:
        assert by_key["Priority (`priority`)"] == [
            "Priority (`priority`)", "required",
            "Normal automatically. Nearly always this. Default: Normal. Values: High, Normal, Low."]


def test_every_page_builds_in_both_languages(empty_store):
    files = build(empty_store)
    assert sorted(files) == [f"{lang}/{page}.md" for lang in ("en", "fi")
                             for page in ("customer-service", "index", "migrating", "reference", "sales", "shared-store")]
    assert files["fi/index.md"].startswith("# crmctl – käyttöohjeet\n")
    assert files["en/index.md"].startswith("# crmctl – user manuals\n")
    cs_fi = files["fi/customer-service.md"]
    for chapter in ("## 1 Puhelun kirjaaminen palvelupyynnöksi", "### 1.1 Palvelupyynnön merkitseminen valmiiksi",
                    "### 1.2 Palvelupyynnön delegointi", "### 1.3 Palvelupyyntöjen näkymät",
                    "## 2 Myyntikyselyt – Liidit", "## 3 Asiakkuuden perustaminen",
                    "## 4 Myyntiprojektien vaiheet", "## 5 Myyntiprojektien seuranta"):
        assert f"\n{chapter}\n" in cs_fi
    for text in files.values():
        assert text.endswith("\n") and not text.endswith("\n\n")


def test_stage_tables_and_diagrams_come_from_the_project_types(empty_store):
    cs = build(empty_store, ("fi",))["fi/customer-service.md"]
    assert "| 3 | **Sopimuksen lähettäminen** | **Asiakaspalvelu** | **2** |\n" in cs
    assert "| 6 | Liittymän rakentaminen | Tekniikka | 40 |\n" in cs
    assert '  s6["6. Liittymän rakentaminen<br/>Tekniikka, 40 tp"]\n' in cs
    assert "  class s3,s4,s5,s7 customer_service\n" in cs
    assert cs.count("```mermaid\nflowchart LR\n  s1[") == len(empty_store.config.project_types)


def test_status_model_table_and_diagram(empty_store):
    cs = build(empty_store, ("en",))["en/customer-service.md"]
    assert ("| In progress, On hold, Waiting for details or Researching | Resolved or Done "
            "| needs: Resolution; fills in the date: Response date |\n") in cs
    assert '  subgraph state_active ["active (freely between them)"]\n    v_in_progress["In progress"]\n' in cs
    assert '  state_active -- "Resolution" --> state_resolved\n' in cs
    assert "state_active --> state_active" not in cs
    assert '  v_cancelled -- "reason, Administrator" --> state_active\n' in cs


@pytest.mark.slow
def test_examples_are_real_output_and_identical_across_builds(empty_store):
    first, second = build(empty_store), build(empty_store)
    assert first == second
    cs = first["fi/customer-service.md"]
    assert "   $ crmctl sr status SR-20110125-" in cs
    assert "   Virhe: tietue rikkoo näitä sääntöjä:\n" in cs
    # the id printed by `sr new` is the one the next step shows
    step = cs.split("$ crmctl sr new 'title=Mittarilukeman ilmoitus'")[1]
    new_id = next(line.strip() for line in step.splitlines() if line.strip().startswith("SR-"))
    assert f"$ crmctl sr show {new_id}\n" in cs
    assert f"   Tunniste                 {new_id}\n" in cs


@pytest.mark.slow
def test_the_manual_does_not_depend_on_the_stores_records(store, run):
    before = build(store)
    assert run("sr", "new", "title=Soitto", "customer=CUST-GENERAL", "person_name=Testi",
               "subject=other").exit_code == 0
    assert build(store) == before


def test_changing_a_field_level_changes_the_manual(empty_store):
    before = build(empty_store, ("fi",))
    path = empty_store.root / "config" / "types" / "service_request.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    type: phone\n    level: recommended", "    type: phone\n    level: required"),
                    encoding="utf-8")
    empty_store.reload_config()
    after = build(empty_store, ("fi",))
    assert "| Puhelinnumero (`phone`) | suositeltava |  |" in before["fi/customer-service.md"]
    assert "| Puhelinnumero (`phone`) | pakollinen tieto |  |" in after["fi/customer-service.md"]
    assert before["fi/reference.md"] != after["fi/reference.md"]


def test_undefined_template_variable_is_an_error(empty_store):
    override = empty_store.root / "templates" / "manual"
    override.mkdir(parents=True, exist_ok=True)
    (override / "index.md.j2").write_text("# {{ t('index.title') }}\n{{ no_such_thing }}\n", encoding="utf-8")
    with pytest.raises(builder.ManualError) as caught:
        build(empty_store, ("fi",))
    assert caught.value.problems == ["manual/index.md.j2 (fi): 'no_such_thing' is undefined"]


def test_store_templates_override_crmctls(empty_store):
    override = empty_store.root / "templates" / "manual"
    override.mkdir(parents=True, exist_ok=True)
    (override / "index.md.j2").write_text("# {{ t('index.title') }}\n\n{{ t('own.line') }}\n", encoding="utf-8")
    (override / "messages.yaml").write_text("own.line: {fi: Oma rivi, en: Our own line}\n", encoding="utf-8")
    files = build(empty_store)
    assert files["fi/index.md"] == "# crmctl – käyttöohjeet\n\nOma rivi\n"
    assert files["en/index.md"] == "# crmctl – user manuals\n\nOur own line\n"


def test_a_missing_translation_is_an_error_in_every_language(empty_store):
    override = empty_store.root / "templates" / "manual"
    override.mkdir(parents=True, exist_ok=True)
    (override / "messages.yaml").write_text("cs.title: {fi: Asiakaspalvelun ohje}\n", encoding="utf-8")
    with pytest.raises(builder.ManualError) as caught:
        build(empty_store, ("fi",))
    assert caught.value.problems == ["messages.yaml: cs.title: missing en translation"]


def test_a_missing_config_label_is_an_error(empty_store):
    path = empty_store.root / "config" / "vocabularies.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("{key: billing, fi: Laskutus, en: Billing}", "{key: billing, fi: Laskutus}"),
                    encoding="utf-8")
    empty_store.reload_config()
    assert build(empty_store, ("fi",))  # Finnish needs only the Finnish labels...
    with pytest.raises(builder.ManualError) as caught:  # ...English stops at the missing one
        build(empty_store, ("en",))
    assert "missing en translation of {'fi': 'Laskutus', 'en': None}" in str(caught.value)


def test_unknown_catalog_entry_is_an_error(empty_store):
    override = empty_store.root / "templates" / "manual"
    override.mkdir(parents=True, exist_ok=True)
    (override / "index.md.j2").write_text("{{ t('no.such.entry') }}\n", encoding="utf-8")
    with pytest.raises(builder.ManualError) as caught:
        build(empty_store, ("en",))
    assert caught.value.problems == ["messages.yaml: no entry 'no.such.entry'"]


def examples_override(store, text):
    override = store.root / "templates" / "manual"
    override.mkdir(parents=True, exist_ok=True)
    (override / "examples.yaml").write_text(text, encoding="utf-8")


def test_a_failing_example_stops_the_build(empty_store):
    examples_override(empty_store, """
- id: broken
  place: customer-service/logging
  title: {fi: rikki, en: broken}
  steps:
    - say: {fi: Aja, en: Run}
      run: [sr, new, title=X]
""")
    with pytest.raises(builder.ManualError) as caught:
        build(empty_store, ("en",))
    problems = caught.value.problems
    assert problems[0] == "example broken, step 1: crmctl sr new title=X exited 1:"
    assert "Error: the record breaks these rules:" in problems


def test_an_example_nobody_shows_is_an_error(empty_store):
    examples_override(empty_store, """
- id: lost
  place: nowhere
  title: {fi: hukassa, en: lost}
  steps:
    - say: {fi: Katso, en: Look}
      run: [sr, views]
""")
    with pytest.raises(builder.ManualError) as caught:
        build(empty_store, ("fi",))
    assert caught.value.problems == ["examples.yaml: no template shows examples placed at 'nowhere'"]


def test_an_example_without_a_translation_is_an_error(empty_store):
    examples_override(empty_store, """
- id: half
  place: customer-service/logging
  title: {fi: puoliksi, en: half}
  steps:
    - say: {fi: Katso}
      run: [sr, views]
""")
    with pytest.raises(builder.ManualError) as caught:
        build(empty_store, ("fi",))
    assert caught.value.problems == ["examples.yaml: example half: missing en translation of {'fi': 'Katso'}"]


def test_an_unquoted_comma_in_a_text_is_an_error(empty_store):
    examples_override(empty_store, """
- id: comma
  place: customer-service/logging
  title: {fi: liidi, joka ei etene, en: a lead}
  steps:
    - say: {fi: Katso, en: Look}
      run: [sr, views]
""")
    with pytest.raises(builder.ManualError) as caught:
        build(empty_store, ("fi",))
    assert caught.value.problems == [
        "examples.yaml: example comma: unexpected keys in {'fi': 'liidi', 'joka ei etene': None, 'en': 'a lead'} "
        "(quote texts with commas)"]


def test_examples_use_saved_values_and_expected_exit_codes(empty_store):
    examples_override(empty_store, """
- id: saved
  place: customer-service/logging
  title: {fi: tallennettu, en: saved}
  steps:
    - say: {fi: Tee, en: Make}
      run: [sr, new, title=Soitto, customer=CUST-GENERAL, person_name=Testi, subject=other]
      save: call
    - say: {fi: "Peru {call}", en: "Cancel {call}"}
      run: [sr, status, "{call}", cancelled]
      exit: 1
""")
    text = build(empty_store, ("en",))["en/customer-service.md"]
    made = text.split("$ crmctl sr new")[1].split("```")[0].strip().splitlines()[-1].strip()
    assert made.startswith("SR-20110125-")
    assert f"2. Cancel {made}\n\n   ```console\n   $ crmctl sr status {made} cancelled\n" \
           f"   Error: in_progress → cancelled needs a reason (reason=...)\n   ```\n" in text


def test_reproducible_ids():
    import random
    from datetime import date

    with ids.seeded(random.Random("seed")):
        first = [ids.new_id("SR", date(2011, 1, 25)) for _ in range(3)]
    with ids.seeded(random.Random("seed")):
        second = [ids.new_id("SR", date(2011, 1, 25)) for _ in range(3)]
    assert first == second and len(set(first)) == 3


# -- command line --------------------------------------------------------------------------


@pytest.mark.slow
def test_build_and_check_from_the_command_line(empty_store, tmp_path, run):
    out = tmp_path / "manual"
    result = run("manual", "build", "--out", str(out), root=empty_store.root)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.md")) == [
        f"{lang}/{page}.md" for lang in ("en", "fi") for page in ("customer-service", "index", "migrating", "reference", "sales", "shared-store")]
    assert result.stderr.splitlines()[0] == f"Kirjoitettu {out / 'en' / 'customer-service.md'}"
    result = run("manual", "check", "--out", str(out), root=empty_store.root)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", f"Käyttöohje hakemistossa {out} on ajan tasalla.\n")


@pytest.mark.slow
def test_check_fails_after_a_level_change_until_rebuilt(empty_store, tmp_path, run):
    out = tmp_path / "manual"
    assert run("manual", "build", "--out", str(out), root=empty_store.root).exit_code == 0
    path = empty_store.root / "config" / "types" / "service_request.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "    type: phone\n    level: recommended", "    type: phone\n    level: required"), encoding="utf-8")
    result = run("manual", "check", "--out", str(out), root=empty_store.root)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [str(out / name) for name in (
        "en/customer-service.md", "en/reference.md", "fi/customer-service.md", "fi/reference.md")]
    assert result.stderr == (f"Virhe: käyttöohje hakemistossa {out} on vanhentunut (4 tiedostoa eroaa); "
                             f"rakenna se uudelleen komennolla `crmctl manual build --out {out}`\n")
    assert run("manual", "build", "--out", str(out), root=empty_store.root).exit_code == 0
    assert run("manual", "check", "--out", str(out), root=empty_store.root).exit_code == 0
    assert "| Puhelinnumero (`phone`) | pakollinen tieto |  |" in (out / "fi" / "customer-service.md").read_text()


@pytest.mark.slow
def test_check_lists_missing_and_left_over_pages(empty_store, tmp_path, run):
    out = tmp_path / "manual"
    assert run("manual", "build", "--out", str(out), root=empty_store.root).exit_code == 0
    (out / "fi" / "sales.md").unlink()
    (out / "en" / "old-page.md").write_text("old\n")
    result = run("manual", "check", "--out", str(out), root=empty_store.root)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [str(out / "fi" / "sales.md"), str(out / "en" / "old-page.md")]


def test_build_one_language(empty_store, tmp_path, run):
    out = tmp_path / "manual"
    result = run("manual", "build", "--lang", "en", "--out", str(out), root=empty_store.root)
    assert result.exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["en"]


@pytest.mark.slow
def test_a_broken_template_writes_nothing(empty_store, tmp_path, run):
    out = tmp_path / "manual"
    assert run("manual", "build", "--out", str(out), root=empty_store.root).exit_code == 0
    before = snapshot(out)
    override = empty_store.root / "templates" / "manual"
    override.mkdir(parents=True, exist_ok=True)
    (override / "sales.md.j2").write_text("{{ missing }}\n", encoding="utf-8")
    result = run("manual", "build", "--out", str(out), root=empty_store.root)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "Virhe: the manual cannot be built:\n  manual/sales.md.j2 (fi): 'missing' is undefined\n"
    assert snapshot(out) == before


def test_unknown_language_is_a_usage_error(run):
    result = run("manual", "build", "--lang", "sv")
    assert result.exit_code == 2


@pytest.mark.slow
def test_committed_manual_is_current(run):
    """docs/manual/ is built from the default configuration: `crmctl manual build --defaults`."""
    result = run("manual", "check", "--defaults", "--out", str(REPO / "docs" / "manual"))
    assert result.exit_code == 0, result.stdout + result.stderr


def test_manual_lang_option_is_the_manuals_own(empty_store, tmp_path, run):
    """`--lang` after `manual` picks the manual's language; the global hoisting of --lang stays elsewhere."""
    out = tmp_path / "manual"
    result = run("--lang", "en", "manual", "build", "--lang", "fi", "--out", str(out), root=empty_store.root)
    assert result.exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["fi"]
    assert run("sr", "views", "--lang", "en", root=empty_store.root).stdout.startswith("Key")


def test_every_catalog_key_named_in_code_and_templates_exists():
    import re

    catalog = set(builder.yamlio.load((REPO / "templates" / "manual" / "messages.yaml").read_text(encoding="utf-8"),
                                     "messages.yaml"))
    used = set()
    for module in (REPO / "crmctl" / "manual").glob("*.py"):
        used |= set(re.findall(r'self\.text\("([^"]+)"', module.read_text(encoding="utf-8")))
    assert used  # the describer's own wording is found, not only the templates'
    for template in (REPO / "templates" / "manual").glob("*.j2"):
        used |= set(re.findall(r'\bt\("([^"]+)"', template.read_text(encoding="utf-8")))
    assert len(used) > 100
    assert sorted(k for k in used - catalog if not k.endswith(".")) == []  # "metric." + key: prefixes
