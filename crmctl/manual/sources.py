"""The manual's sources besides the templates: the sentence catalog and the example list.

Both are files `manual/<name>` in the template directories (the store's own
first, then crmctl's), checked for a text in every language before use.
"""

from pathlib import Path

from crmctl.config.model import LANGUAGES
from crmctl.kernel import yamlio
from crmctl.manual.errors import ManualError


def _sources(env, name):
    """The file `manual/<name>` in every template directory, the store's first."""
    found = []
    for directory in env.loader.searchpath:
        path = Path(directory) / "manual" / name
        if path.is_file():
            found.append(path)
    return found


def load_catalog(env):
    """Sentences and headings per language; the store's entries override crmctl's.

    Every entry must have every language: a missing translation is an error
    here, whichever language is being built.
    """
    catalog = {}
    for path in reversed(_sources(env, "messages.yaml")):
        data = yamlio.load(path.read_text(encoding="utf-8"), str(path)) or {}
        catalog.update(data)
    if not catalog:
        raise ManualError(["no manual/messages.yaml in the template directories"])
    problems = [f"messages.yaml: {key}: missing {lang} translation"
                for key, entry in catalog.items() for lang in LANGUAGES
                if not isinstance(entry, dict) or not isinstance(entry.get(lang), str) or not entry[lang]]
    problems += [f"messages.yaml: {key}: unexpected keys {sorted(set(entry) - set(LANGUAGES))} "
                 "(quote texts with commas)"
                 for key, entry in catalog.items() if isinstance(entry, dict) and set(entry) - set(LANGUAGES)]
    if problems:
        raise ManualError(problems)
    return catalog


def load_examples(env):
    """The example list (manual/examples.yaml): the store's file replaces crmctl's."""
    sources = _sources(env, "examples.yaml")
    if not sources:
        return []
    path = sources[0]
    data = yamlio.load(path.read_text(encoding="utf-8"), str(path)) or []
    problems, seen = [], set()
    for number, example in enumerate(data, 1):
        where = f"examples.yaml: example {example.get('id', number)}"
        for key in ("id", "place", "title", "steps"):
            if not example.get(key):
                problems.append(f"{where}: missing {key!r}")
        if example.get("id") in seen:
            problems.append(f"{where}: duplicate id")
        seen.add(example.get("id"))
        texts = [example.get("title")] + [s.get("say") for s in example.get("steps") or []]
        for text in texts:
            for lang in LANGUAGES:
                if not isinstance(text, dict) or not isinstance(text.get(lang), str) or not text[lang]:
                    problems.append(f"{where}: missing {lang} translation of {text!r}")
            if isinstance(text, dict) and set(text) - set(LANGUAGES):
                # an unquoted comma in a flow mapping ({fi: a, b, en: c}) splits the text into keys
                problems.append(f"{where}: unexpected keys in {text!r} (quote texts with commas)")
    if problems:
        raise ManualError(problems)
    return data
