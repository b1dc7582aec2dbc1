"""The one Jinja environment: templates from the store first, then crmctl's own.

jinja2 is imported when an environment is made, not with this module, so commands that render nothing start fast.
A template that is missing or does not parse is a fault in the configuration: it is reported as a ConfigError naming
the template, never as an internal error.
"""

from functools import lru_cache
from pathlib import Path

from crmctl.kernel.errors import ConfigError

from crmctl.kernel.resources import templates_dir


def environment(store_root=None):
    """StrictUndefined, so a template naming an unknown variable fails instead of printing nothing."""
    import jinja2

    search = []
    if store_root is not None:
        search.append(Path(store_root) / "templates")
    search.append(templates_dir())
    folders = [str(p) for p in search if p.is_dir()]
    env = _environment_class()(
        loader=jinja2.FileSystemLoader(folders),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    env.searched = [str(p) for p in search]
    return env


@lru_cache(maxsize=None)
def _environment_class():
    """jinja2's Environment, turning a missing or broken template into a ConfigError (made once, when needed)."""
    import jinja2

    class Environment(jinja2.Environment):
        def get_template(self, name, *args, **kwargs):
            return self._loaded(super().get_template, name, *args, **kwargs)

        def select_template(self, names, *args, **kwargs):
            return self._loaded(super().select_template, names, *args, **kwargs)

        def _loaded(self, load, name, *args, **kwargs):
            try:
                return load(name, *args, **kwargs)
            except jinja2.TemplateNotFound:
                wanted = " or ".join(f"templates/{n}" for n in ([name] if isinstance(name, str) else name))
                raise ConfigError(code="config.template_not_found", wanted=wanted,
                                  searched=", ".join(map(str, self.searched))) from None
            except jinja2.TemplateSyntaxError as err:  # jinja's own words: it has no catalogue
                raise ConfigError(code="config.template_syntax", name=err.name or name, line=err.lineno,
                                  problem=err.message) from None

    return Environment
