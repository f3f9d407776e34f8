from mutualaid.errors import RuleError


class AssociationRuleError(RuleError):
    """A rule of the area tree, associations, roles or members refused an operation."""


class MemberRuleError(AssociationRuleError):
    """A rule about member households refused an operation."""
