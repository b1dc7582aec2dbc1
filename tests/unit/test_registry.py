"""The registry: built-ins come in by one idempotent call, and derived keys work whatever was imported first."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from crmctl.builtins import load_builtins
from crmctl.kernel.registry import Registry, registry

CHECKOUT = Path(__file__).resolve().parents[2]


def _contents(reg):
    return (dict(reg.derived), dict(reg.display), {k: list(v) for k, v in reg.create_hooks.items()},
            {k: list(v) for k, v in reg.created_hooks.items()}, list(reg.record_rules), list(reg.record_checks),
            dict(reg.reports))


def test_load_builtins_twice_gives_the_same_registry():
    reg = Registry()
    assert load_builtins(reg) is reg
    once = _contents(reg)
    load_builtins(reg)
    assert _contents(reg) == once
    assert {"due", "overdue", "current_stage", "stalled", "created_at"} <= set(reg.derived)
    assert list(reg.reports) == ["monthly", "calls", "leads", "adoption", "quality"]
    assert set(reg.create_hooks) == {"lead", "sales_project"}


def test_two_registries_get_the_same_builtins_and_the_default_one_is_loaded_once():
    assert _contents(load_builtins(Registry())) == _contents(registry())
    assert registry() is registry()


def test_a_module_imports_without_registering_anything():
    code = textwrap.dedent("""
        import crmctl.workflows.sla, crmctl.workflows.stages, crmctl.workflows.leads, crmctl.workflows.projects
        import crmctl.reports.monthly, crmctl.checks.store_check, crmctl.present.display
        from crmctl.kernel.registry import DEFAULT
        assert not DEFAULT.derived and not DEFAULT.reports and not DEFAULT.create_hooks, vars(DEFAULT)
    """)
    _run(code)


def test_derived_keys_work_when_only_present_display_was_imported(tmp_path):
    # A fresh interpreter that imports the display module (and the store it reads) but no workflow:
    # the due date of a new service request is computed and shown all the same.
    code = textwrap.dedent(f"""
        import os
        os.environ["CRMCTL_NOW"] = "2011-01-25T10:00:00+02:00"
        from crmctl.present import display
        from crmctl.engine.query import Evaluator
        from crmctl.store.store import Store
        import shutil
        from pathlib import Path
        defaults = Path({str(CHECKOUT)!r}) / "crmctl" / "config" / "defaults"
        root = Path({str(tmp_path)!r}) / "store"
        shutil.copytree(defaults, root)
        store = Store(root)
        rtype = store.config.types["service_request"]
        evaluator = Evaluator(store, rtype)
        record = {{"id": "SR-1", "received": __import__("datetime").date(2011, 1, 25),
                   "history": [{{"at": store.now(), "by": "x", "event": "created"}}]}}
        print(display.shown_value(evaluator, record, "due", "en"))
    """)
    out = _run(code)
    assert out.strip().startswith("2011-"), out


def _run(code):
    env = {**os.environ, "PYTHONPATH": str(CHECKOUT)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_message_catalogues_are_registered_by_the_builtins_and_an_extension_may_override(tmp_path):
    from crmctl.builtins import load_builtins
    from crmctl.kernel import i18n
    from crmctl.kernel.registry import Registry, registry

    assert i18n.messages_folder() in load_builtins(Registry()).catalogues
    (tmp_path / "fi.yaml").write_text("warning: Huomio\nreasons: {must be text: on oltava tekstiä}\n", encoding="utf-8")
    (tmp_path / "en.yaml").write_text("warning: Note\n", encoding="utf-8")
    shared = registry()
    shared.add_catalogue(tmp_path)
    try:
        assert i18n.t("warning", "fi") == "Huomio" and i18n.t("warning", "en") == "Note"
        assert i18n.translate("must be text", "fi") == "on oltava tekstiä"
        assert i18n.translate("must be 5 digits", "fi") == "pitää olla 5 numeroa"  # the section is extended
    finally:
        shared.catalogues.remove(tmp_path)
    assert i18n.t("warning", "fi") == "Varoitus"
