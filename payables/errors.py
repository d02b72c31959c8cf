"""Payables' refusals, each with a sentence for the clerk (a core RevenueError: views put it on
the form, nothing has changed)."""

from revenue import services as core


class PayablesError(core.RevenueError):
    pass


class VendorNotUsable(PayablesError):
    """An inactive vendor (or one on hold, where that stops the step)."""


class BadLine(PayablesError):
    """A line with a negative quantity, a price with a third decimal, no account …"""


class BankDetailsInvalid(PayablesError):
    pass


class OverLimit(PayablesError):
    """Above the approver's limit: a higher role must approve."""


class WrongStatus(PayablesError):
    """The document is not in a state that allows this step."""


class ReceiptRefused(PayablesError):
    pass
