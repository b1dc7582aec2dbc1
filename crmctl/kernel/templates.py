"""The one Jinja environment: templates from the store first, then crmctl's own."""

from pathlib import Path

import jinja2

from crmctl.kernel.resources import templates_dir


def environment(store_root=None):
    """StrictUndefined, so a template naming an unknown variable fails instead of printing nothing."""
    search = []
    if store_root is not None:
        search.append(Path(store_root) / "templates")
    search.append(templates_dir())
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(p) for p in search if p.is_dir()]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    return env
