from mutualaid.errors import RuleError


class GuaranteeRuleError(RuleError):
    """A rule of guarantee groups or guarantee forms refused an operation."""
