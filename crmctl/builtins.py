"""Every built-in extension, registered by one explicit call: `load_builtins(registry)`.

Modules define their derived keys, hooks, checks and reports (and the kernel its message catalogues) as plain
functions and data and offer a `register(registry)`; none of them
registers anything when imported. This module sits above all of them
(just below the CLI) and calls them in one place, so what is built in can
be read here top to bottom. Safe to call twice: a registry remembers that
the built-ins are in it (as llm's plugin loading does).

Callers need not call it: `crmctl.kernel.registry.registry()` calls it on
first use (its docstring says why there). Call it yourself to fill a
registry of your own, e.g. in a test.
"""

from crmctl.engine import query
from crmctl.kernel.i18n import messages_folder
from crmctl.kernel.registry import DEFAULT
from crmctl.reports import adoption, calls, leads as lead_report, monthly, quality
from crmctl.workflows import closing, delegation, leads, projects, sla, stages

REPORTS = (monthly, calls, lead_report, adoption, quality)  # `report` lists them in this order


def load_builtins(registry=None):
    """Register the built-ins into `registry` (the process-wide one by default); returns the registry."""
    registry = DEFAULT if registry is None else registry
    registry.load(__name__, _register)
    return registry


def _register(registry):
    registry.add_catalogue(messages_folder())
    for module in (query, sla, stages, leads, projects, delegation, closing):
        module.register(registry)
    for module in REPORTS:
        registry.add_report(module.DEFINITION)
