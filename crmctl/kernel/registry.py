"""The one registry of extensions: derived keys, display hooks, create hooks, rules, checks, reports and message
catalogues.

Lower layers read it (the engine evaluates derived keys, runs create hooks
and `when:` rules, `present` words derived values, `checks` runs record checks, the
CLI lists reports); higher layers fill it. Nothing registers itself when
imported: `crmctl.builtins.load_builtins(registry)` puts every built-in in
by one explicit call, and a registry remembers what was loaded into it, so
a second call changes nothing.

Where the built-ins are loaded: lazily, by `registry()`, on the first read.
Every way into crmctl -- the CLI, `Store` used as a library, a test that
builds an `Evaluator` -- ends up reading derived keys or hooks through
`registry()`, so one accessor covers them all, and a command that reads
no records (printing the version or the help) never imports the workflows. The
kernel may not import the layers above it, so the accessor names the
loader module as data (`BUILTINS`), the way llm loads its default plugins
by module name; this is the only import by name in crmctl, and
tests/unit/test_layers.py keeps it so.
"""

import importlib

BUILTINS = "crmctl.builtins"  # its load_builtins(registry) registers every built-in


class Registry:
    """What the layers above add to the engine; every `add_*` is idempotent."""

    def __init__(self):
        self.derived = {}        # key -> fn(evaluator, record): keys computed from a record
        self.display = {}        # derived key -> fn(config, value, lang): how its value reads for people
        self.create_hooks = {}   # type key -> [fn(record, engine)], run before a new record is validated
        self.created_hooks = {}  # type key -> [fn(record, store, actor, lang)], run after it is saved
        self.change_hooks = []   # fn(before, record, engine, rtype, events) -> [event]: run on every change
        self.record_rules = []   # fn(engine, rtype, record) -> [Problem]: validation beyond single fields
        self.record_checks = []  # fn(store, engine, rtype, record) -> [(key, level, code, message)]
        self.reports = {}        # report name -> its definition (crmctl.reports.Definition)
        self.catalogues = []     # folders holding <lang>.yaml message catalogues; a later one overrides keys
        self._loaded = set()

    def add_derived(self, key, fn):
        self.derived[key] = fn

    def add_display(self, key, fn):
        self.display[key] = fn

    def add_create_hook(self, type_key, fn):
        _append_once(self.create_hooks.setdefault(type_key, []), fn)

    def add_created_hook(self, type_key, fn):
        _append_once(self.created_hooks.setdefault(type_key, []), fn)

    def add_change_hook(self, fn):
        _append_once(self.change_hooks, fn)

    def add_record_rule(self, fn):
        _append_once(self.record_rules, fn)

    def add_record_check(self, fn):
        _append_once(self.record_checks, fn)

    def add_report(self, definition):
        self.reports[definition.name] = definition

    def add_catalogue(self, folder):
        _append_once(self.catalogues, folder)

    def load(self, name, register):
        """Run `register(self)` unless `name` was loaded into this registry before; True when it ran."""
        if name in self._loaded:
            return False
        self._loaded.add(name)  # before registering: a loader that reads the registry does not start again
        register(self)
        return True

    def loaded(self, name):
        return name in self._loaded


def _append_once(hooks, fn):
    if fn not in hooks:
        hooks.append(fn)


DEFAULT = Registry()


def registry():
    """The process-wide registry, with the built-ins loaded on first use (see the module docstring)."""
    if not DEFAULT.loaded(BUILTINS):
        importlib.import_module(BUILTINS).load_builtins(DEFAULT)
    return DEFAULT
