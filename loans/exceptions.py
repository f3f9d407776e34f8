from mutualaid.errors import RuleError


class LoanRuleError(RuleError):
    """A loan rule refused an operation."""


class LoanDraftError(LoanRuleError):
    """The rules a draft breaks, each keyed by the form field it belongs to, so the page can show
    it beside that field; nothing was written. `code` is the first broken rule's."""

    def __init__(self, problems: dict[str, LoanRuleError]):
        first = next(iter(problems.values()))
        super().__init__(" ".join(str(e.message) for e in problems.values()), first.code)
        self.problems = {field: error.message for field, error in problems.items()}
