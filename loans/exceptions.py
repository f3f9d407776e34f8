from mutualaid.errors import RuleError


class LoanRuleError(RuleError):
    """A loan rule refused an operation."""
