"""The parsed configuration kept in .cache: used while the files are unchanged, parsed again when one changes."""

import os

from crmctl.config import cache
from crmctl.config.model import load_config


def test_cached_config_is_used_until_a_file_changes(store, monkeypatch):
    cache_dir = str(store.root / ".cache")
    os.makedirs(cache_dir, exist_ok=True)
    first = load_config(store.root, cache_dir=cache_dir)
    assert os.path.exists(os.path.join(cache_dir, cache.NAME))
    parsed = []

    def counting(root):
        parsed.append(root)
        return load_config(root)

    again = cache.load(store.root, cache_dir, counting)
    assert parsed == [] and again.types.keys() == first.types.keys() and again.root == store.root
    type_file = sorted((store.root / "config" / "types").glob("*.yaml"))[0]
    type_file.write_text(type_file.read_text() + "\n# changed\n")
    cache.load(store.root, cache_dir, counting)
    assert len(parsed) == 1


def test_no_cache_folder_no_pickle(store):
    cache_dir = str(store.root / "no-such-folder")
    assert load_config(store.root, cache_dir=cache_dir).types
    assert not os.path.exists(cache_dir)
