"""A catalogue message read like a label (`words[lang]`), for data that carries its wording to templates.

Report metrics, titles and notes reach Jinja templates, which a store may override and which read
`metric.label[lang]`; `Words` keeps that shape while the text stays in the message catalogue. It is looked
up when read, so importing a report module does not load the catalogue.
"""

from collections.abc import Mapping

from crmctl.kernel.i18n import LANGUAGES, t


class Words(Mapping):
    """The message `key` (with `params` filled in) in every language: `words["fi"]`, `words["en"]`."""

    def __init__(self, key, **params):
        self.key = key
        self.params = params

    def __getitem__(self, lang):
        if lang not in LANGUAGES:
            raise KeyError(lang)
        return t(self.key, lang, **self.params)

    def __iter__(self):
        return iter(LANGUAGES)

    def __len__(self):
        return len(LANGUAGES)

    def __repr__(self):
        return f"Words({self.key!r})"


def headings(lang, *keys):
    """Column headings in `lang`, from their catalogue keys."""
    return [t(key, lang) for key in keys]
