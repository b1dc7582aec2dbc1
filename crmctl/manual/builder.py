"""Generated user manuals: the store's configuration + templates/manual/ + examples really run.

A manual is a set of Markdown pages per language (`<lang>/<page>.md`),
rendered from the Jinja templates in `manual/` (a store's own templates
override crmctl's). Every heading and sentence comes from the templates or
the per-language catalog `manual/messages.yaml`, every field, rule, view,
status and stage from the configuration, and every example output from
running the command on a scratch store while building. Nothing falls back:
a missing translation, an unknown variable or a failing example stops the
build. The manual depends only on configuration and templates, never on the
store's records, so the same configuration always gives the same bytes.
"""

import re
from pathlib import Path

import jinja2

from crmctl.config.model import LANGUAGES
from crmctl.kernel import yamlio  # noqa: F401  (tests read the catalog through builder.yamlio)
from crmctl.kernel.templates import environment
from crmctl.manual.describe import Describer
from crmctl.manual.errors import ManualError
from crmctl.manual.examples import run_examples
from crmctl.manual.scratch import default_store  # noqa: F401  (part of the builder's interface: `--defaults`)
from crmctl.manual.sources import load_catalog, load_examples

PAGES = ("index", "customer-service", "sales", "reference", "migrating", "shared-store")
DEFAULT_OUT = Path("docs") / "manual"


def _cell(text):
    """Text safe inside a Markdown table cell."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _anchor(heading):
    """The link target GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


# -- building, writing, checking ----------------------------------------------------------


class _Places:
    """Which example places the templates render (an example nobody renders is an error)."""

    def __init__(self, examples):
        self.examples = examples
        self.used = set()

    def __call__(self, place):
        self.used.add(place)
        return [e for e in self.examples if e.place == place]


def build(store, langs=LANGUAGES, run_command=None):
    """Every page in every language of `langs`: {"fi/index.md": text, ...}."""
    env = environment(store.root)
    env.filters["cell"] = _cell
    env.filters["anchor"] = _anchor
    catalog = load_catalog(env)
    examples = load_examples(env)
    if examples and run_command is None:
        raise ManualError(["the examples need a way to run crmctl"])
    files = {}
    for lang in langs:
        if lang not in LANGUAGES:
            raise ManualError([f"unknown language {lang!r}"])
        ran = run_examples(store, examples, lang, run_command) if examples else []
        places = _Places(ran)
        describe = Describer(store.config, catalog, lang)
        context = {"lang": lang, "t": describe.text, "d": describe, "config": store.config,
                   "examples_at": places, "label": describe.label, "pages": PAGES}
        for page in PAGES:
            try:
                text = env.get_template(f"manual/{page}.md.j2").render(**context)
            except jinja2.TemplateError as err:  # an undefined variable (StrictUndefined) among them
                raise ManualError([f"manual/{page}.md.j2 ({lang}): {err}"]) from None
            files[f"{lang}/{page}.md"] = _tidy(text)
        unused = sorted({e.place for e in ran} - places.used)
        if unused:
            raise ManualError([f"examples.yaml: no template shows examples placed at {p!r}" for p in unused])
    return files


def _tidy(text):
    """One trailing newline, no runs of blank lines: Markdown that diffs cleanly."""
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip("\n") + "\n"


def write(files, out):
    """Write the pages under `out`; returns the paths written."""
    out = Path(out)
    written = []
    for name, text in sorted(files.items()):
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        written.append(path)
    return written


def stale(files, out):
    """Paths under `out` that differ from `files`: changed, missing, or left over in a built language."""
    out = Path(out)
    differ = []
    for name, text in sorted(files.items()):
        path = out / name
        if not path.is_file() or path.read_bytes() != text.encode("utf-8"):
            differ.append(path)
    for lang in sorted({name.split("/", 1)[0] for name in files}):
        for path in sorted((out / lang).glob("*.md")) if (out / lang).is_dir() else ():
            if f"{lang}/{path.name}" not in files:
                differ.append(path)
    return differ
