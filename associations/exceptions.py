class AssociationRuleError(Exception):
    """A rule of the area tree, associations or roles refused an operation.

    `message` is already in the user's language (lazy gettext); `code` is stable for tests.
    """

    def __init__(self, message, code: str):
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return str(self.message)


class MemberRuleError(AssociationRuleError):
    """A rule about member households refused an operation."""
