class LoanRuleError(Exception):
    """A loan rule refused an operation.

    `message` is already in the user's language (gettext); `code` is stable for tests and views.
    """

    def __init__(self, message, code: str):
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return str(self.message)
