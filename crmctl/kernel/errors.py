"""Plain exceptions of the core; the CLI turns them into `Error: ...` and an exit code."""


class CrmError(Exception):
    """A request the data or the rules do not allow (exit code 1)."""

    exit_code = 1

    def lines(self):
        """The message as printed lines (first one goes after `Error: `)."""
        return str(self).splitlines() or [""]


class NotFound(CrmError):
    """No record, user, region or view by that name."""


class ConfigError(CrmError):
    """The store's configuration is unusable."""


class StoreError(CrmError):
    """The store cannot be found, read or written."""


class YamlError(CrmError):
    """A YAML document cannot be accepted; `line` is 1-based when known."""

    def __init__(self, message, line=None, code="yaml", params=None):
        super().__init__(message)
        self.line = line
        self.code = code
        self.params = params or {}  # fill the translated message `yaml.<code>`

    def located(self, name):
        """`NAME:LINE: message`: where the problem is, as editors and `check` print it."""
        return f"{name}:{self.line or 1}: {self}"


class ValidationError(CrmError):
    """A record breaks one or more rules; `problems` lists every one."""

    def __init__(self, problems, headline="the record breaks these rules:"):
        self.problems = problems
        self.headline = headline
        super().__init__(headline)

    def lines(self):
        return [self.headline] + ["  " + p.text for p in self.problems]


class UsageError(CrmError):
    """The command was called wrongly (exit code 2)."""

    exit_code = 2
