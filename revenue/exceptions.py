"""Domain errors. Each carries a sentence a clerk can read; views put it on the form."""


class RevenueError(Exception):
    """Base for every refusal a service makes. Nothing has been changed when it is raised."""


class InvalidAmount(RevenueError):
    pass


class Unbalanced(RevenueError):
    pass


class AlreadyReversed(RevenueError):
    pass


class OverApplied(RevenueError):
    """More applied to a charge than its balance, or to charges than the payment."""


class OverpaymentRefused(RevenueError):
    pass


class InsufficientCredit(RevenueError):
    pass


class NoRateInForce(RevenueError):
    pass


class NoPolicyInForce(RevenueError):
    """No row of an effective-dated policy is in force on the date asked for."""


class AccountNotConfigured(RevenueError):
    pass


class NotAllowed(RevenueError):
    """The acting user's role may not do this (or may not do it to their own request)."""


class AlreadyDecided(RevenueError):
    pass


class DuplicateSubmission(RevenueError):
    """The same form was posted twice; the first one did the work."""

    def __init__(self, message: str, result_url: str = ""):
        super().__init__(message)
        self.result_url = result_url
