class RuleError(Exception):
    """A business rule refused an operation; nothing was written.

    `message` is already in the user's language (gettext); `code` is stable for tests and views.
    Each app subclasses it (AssociationRuleError, FundsRuleError, …) so a view may catch its own
    app's errors, or `RuleError` when one action crosses apps (an exit that posts a refund).
    """

    def __init__(self, message, code: str):
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return str(self.message)
