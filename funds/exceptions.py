from mutualaid.errors import RuleError


class FundsRuleError(RuleError):
    """A rule of the books refused an operation."""
