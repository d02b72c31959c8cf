"""The counter's refusals (each a core RevenueError with a sentence for the clerk)."""

from revenue.exceptions import RevenueError


class SessionClosed(RevenueError):
    pass


class TenderShort(RevenueError):
    pass


class ChecksRefused(RevenueError):
    pass


class NoWalkInParty(RevenueError):
    pass
