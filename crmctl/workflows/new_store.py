"""Making a new store: the default configuration and the general customer."""

import re
import shutil
from pathlib import Path

import yaml

from crmctl.kernel.errors import StoreError, UsageError
from crmctl.kernel.resources import defaults_dir
from crmctl.engine.records import SYSTEM_USER, event, ordered
from crmctl.store.files import ignore_leftovers
from crmctl.store.store import CACHE_DIR, MARKER, Store
from crmctl.workflows.account_requests import GENERAL_CUSTOMER

GENERAL_CUSTOMER_NAME = "_Asiakaspalvelun yleisasiakas"


def create_store(path, name=None):
    """Write a store with the default configuration at `path`; returns it. `name` replaces the defaults'
    company name (Demo Oy, which the demo and the manual's scratch stores keep)."""
    root = Path(path)
    if name is not None:
        name = checked_name(name)
    if (root / MARKER).exists():
        raise StoreError(code="store.exists", root=root)
    if root.exists() and not root.is_dir():
        raise StoreError(code="store.not_a_folder", root=root)
    try:
        root.mkdir(parents=True, exist_ok=True)
        shutil.copytree(defaults_dir(), root, dirs_exist_ok=True)
        for file_name in ("users.yaml", "regions.yaml"):
            if not (root / file_name).exists():
                (root / file_name).write_text("{}\n", encoding="utf-8")
        (root / CACHE_DIR).mkdir(exist_ok=True)
        (root / CACHE_DIR / ".gitignore").write_text("*\n")
        ignore_leftovers(root)
        if name is not None:
            name_store(root, name)
    except (OSError, shutil.Error) as err:
        raise StoreError(code="store.cannot_create", root=root, reason=getattr(err, "strerror", None) or err) from None
    store = Store(root)
    ensure_general_customer(store)
    return store


def default_name(path):
    """A new store's name when none is given: its folder's (`crmctl init kotkan-kaasu`); None for a root folder."""
    return Path(path).resolve().name or None


def name_store(root, name):
    """Set the company name in `root`'s crmctl.yaml, keeping the file's other lines and comments as they are."""
    marker = Path(root) / MARKER
    line = yaml.safe_dump({"name": checked_name(name)}, allow_unicode=True, width=10**6).rstrip("\n")
    text = marker.read_text(encoding="utf-8")
    text, found = re.subn(r"^name:.*$", lambda _: line, text, count=1, flags=re.MULTILINE)
    marker.write_text(text if found else f"{line}\n{text}", encoding="utf-8")


def checked_name(name):
    text = name.strip() if isinstance(name, str) else ""
    if not text or "\n" in text or "\r" in text:
        raise UsageError(code="store.bad_name", name=name)
    return text


def ensure_general_customer(store):
    """The customer that calls from non-customers are logged against (fixed id, never deleted)."""
    if store.exists(GENERAL_CUSTOMER):
        return
    rtype = store.type_of(GENERAL_CUSTOMER)
    record = {
        "id": GENERAL_CUSTOMER,
        "name": GENERAL_CUSTOMER_NAME,
        "kind": "person",
        "notes": "Asiakaspalvelun yleisasiakas: puhelut soittajilta, jotka eivät (vielä) ole asiakkaita.\n"
                 "General customer-service customer: calls from callers who are not (yet) customers.",
        "history": [event(store, SYSTEM_USER, "created")],
    }
    with store.lock():
        store.save(ordered(rtype, record))
