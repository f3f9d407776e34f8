class FundsRuleError(Exception):
    """A rule of the books refused an operation; `message` is in the user's language."""

    def __init__(self, message, code: str):
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return str(self.message)
