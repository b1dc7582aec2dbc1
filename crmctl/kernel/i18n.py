"""Messages people read, in Finnish and English, from one YAML catalogue per language (`messages/*.yaml`).

`t(key, lang, **params)` fills a message; `translate()` words a validator's reason. Nothing registers messages at
import time: every text lives in the catalogues, so a message reads the same whatever was imported before. crmctl's
own catalogue is always read; `crmctl.builtins.load_builtins()` registers it, and an extension may register a folder
of its own whose keys override.
"""

from functools import lru_cache

import yaml

LANGUAGES = ("fi", "en")


class MissingMessage(LookupError):
    """The catalogues have no message by that key or language: a bug in crmctl, found by the catalogue tests."""


def catalogue(lang):
    """The whole catalogue of `lang` as a mapping (section `reasons` maps validators' English reasons)."""
    if lang not in LANGUAGES:
        raise MissingMessage(f"no message catalogue for language {lang!r}")
    from crmctl.kernel.registry import DEFAULT

    # crmctl's own catalogue first, then what extensions registered. Not `registry()`: wording a message (also the
    # last-resort "internal error") must not import every workflow and report to load the built-ins.
    own = messages_folder()
    return _merged(lang, (own, *(folder for folder in DEFAULT.catalogues if folder != own)))


@lru_cache(maxsize=None)
def _merged(lang, folders):
    merged = {}
    for folder in folders:
        text = folder.joinpath(f"{lang}.yaml").read_text(encoding="utf-8")
        for key, value in (yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}).items():
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = {**merged[key], **value}  # a section (`reasons`) is extended, not replaced
            else:
                merged[key] = value
    return merged


@lru_cache(maxsize=None)
def messages_folder():
    """crmctl's own catalogues (registered by the built-ins); found once (an import words thousands of rows)."""
    from importlib import resources  # here: importing it costs `crmctl --version` a tenth of its start-up

    return resources.files("crmctl.kernel").joinpath("messages")


def has(key):
    return key in catalogue("en")


def t(key, lang, /, **params):
    """The message `key` in `lang`, with `params` filled in."""
    text = catalogue(lang if lang in LANGUAGES else "en").get(key)
    if not isinstance(text, str):
        raise MissingMessage(f"no message {key!r}")
    return text.format(**params)


def both(key, /, **params):
    """The message `key` in every language, as a {lang: text} label."""
    return {lang: t(key, lang, **params) for lang in LANGUAGES}


def translate(reason, lang):
    """A validator's English reason in `lang` (as it is when the catalogue has no wording for it)."""
    return catalogue(lang if lang in LANGUAGES else "en")["reasons"].get(reason, reason)
