"""Where crmctl's own files are: the templates and the default configuration, wherever crmctl is installed.

Every loader of shipped files asks here. An installed wheel carries the top-level
`templates/` inside the package as `crmctl/templates/` (setup.py maps it); a
source checkout or an editable install has no such folder, so the checkout's
`templates/` next to `crmctl/` is used instead.
"""

from importlib import resources
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parents[2]


def _package_folder(*parts):
    """A folder shipped inside the crmctl package, as a real path (None when this install has none)."""
    found = resources.files("crmctl").joinpath(*parts)
    # The package is always installed as plain files (zip-safe is not claimed), so the traversable is a path.
    return Path(str(found)) if found.is_dir() else None


def templates_dir():
    """crmctl's own templates (email/, manual/, reports/)."""
    shipped = _package_folder("templates")
    if shipped is not None:
        return shipped
    checkout = _CHECKOUT / "templates"
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError("crmctl's templates are missing: neither crmctl/templates/ (installed) "
                            f"nor {checkout} (source checkout) exists")


def defaults_dir():
    """The default configuration a new store starts from (crmctl.yaml and config/)."""
    shipped = _package_folder("config", "defaults")
    if shipped is None:
        raise FileNotFoundError("crmctl's default configuration (crmctl/config/defaults/) is missing")
    return shipped
