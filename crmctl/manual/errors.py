"""The one error of manual building: every problem found, one per line."""

from crmctl.kernel.errors import CrmError


class ManualError(CrmError):
    """The manual cannot be built: every problem, one per line."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("the manual cannot be built:\n" + "\n".join(f"  {p}" for p in self.problems))
