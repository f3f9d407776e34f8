class GuaranteeRuleError(Exception):
    """A rule of guarantee groups or guarantee forms refused an operation.

    `message` is already in the user's language; `code` is stable for tests.
    """

    def __init__(self, message, code: str):
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return str(self.message)
