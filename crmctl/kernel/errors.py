"""Plain exceptions of the core; the CLI turns them into `Error: ...` and an exit code.

An error carries a message code and parameters (`CrmError(code="ambiguous_id", prefix=...)`); the words come from the
message catalogue in the language the reader chose, so the core never decides the language or names a CLI flag.
"""

from crmctl.kernel.i18n import LANGUAGES, has, t


def worded(params, lang):
    """`params` for a message in `lang`: a {lang: text} label (a type's name, a nested message) becomes its text."""
    return {key: value.get(lang, value.get("en")) if isinstance(value, dict) else value
            for key, value in params.items()}


class CrmError(Exception):
    """A request the data or the rules do not allow (exit code 1).

    Raised with a catalogue code and its parameters; a parameter given as a {lang: text} label is worded in the
    reader's language too.
    """

    exit_code = 1

    def __init__(self, message=None, /, *, code=None, **params):  # `message` is free for a parameter too
        self.code = code
        self.params = params
        super().__init__(message if message is not None else t(code, "en", **worded(params, "en")))

    def text(self, lang="en"):
        """The message in `lang` (English for errors that carry no catalogue code)."""
        if self.code and has(self.code):
            return t(self.code, lang, **worded(self.params, lang))
        return str(self)

    def both(self):
        """The message in every language, as a {lang: text} label (to put inside another message)."""
        return {lang: self.text(lang) for lang in LANGUAGES}

    def lines(self, lang="en"):
        """The message as printed lines (first one goes after `Error: `)."""
        return self.text(lang).splitlines() or [""]


class AlreadyHolds(CrmError):
    """What was asked already holds (a status to the current status, an `ack` of an acknowledged assignment):
    nothing is written, the message says so on stderr and the command succeeds (exit code 0)."""

    exit_code = 0


class NotFound(CrmError):
    """No record, user, region or view by that name."""


class ConfigError(CrmError):
    """The store's configuration is unusable."""


class StoreError(CrmError):
    """The store cannot be found, read or written."""


class YamlError(CrmError):
    """A YAML document cannot be accepted; `line` is 1-based when known, `where` names the document when the
    message should say it (`NAME:LINE: problem`)."""

    def __init__(self, message, line=None, code="yaml", params=None, where=None):
        super().__init__(message)
        self.line = line
        self.code = code
        self.params = params or {}  # fill the translated message `yaml.<code>`
        self.where = where

    def text(self, lang="en"):
        key = f"yaml.{self.code}"
        if not has(key):
            return str(self)
        problem = t(key, lang, **self.params)
        return f"{self.where}:{self.line or 1}: {problem}" if self.where else problem

    def located(self, name, lang="en"):
        """`NAME:LINE: message`: where the problem is, as editors and `check` print it."""
        return f"{name}:{self.line or 1}: {self.text(lang)}"


class ValidationError(CrmError):
    """A record breaks one or more rules; `problems` lists every one."""

    def __init__(self, problems, headline="the record breaks these rules:"):
        self.problems = problems
        self.headline = headline
        super().__init__(headline)

    def lines(self, lang="en"):
        return [self.headline] + ["  " + p.text for p in self.problems]


class UsageError(CrmError):
    """The command was called wrongly (exit code 2)."""

    exit_code = 2
