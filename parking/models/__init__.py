"""Parking: permits handed out from a counted stock of serial-numbered tags, and citations from
the handheld devices' import to payment, contest, delinquency, DMV hold and payment plan.

Citations are a subsidiary ledger of the parking fund's citations receivable: an import posts one
journal entry for the whole batch and a core Charge per citation (source = the citation, source
number = the citation number), so the counter, receipts, voids and waivers work as for any charge.

The models by subject: `policy`, `permits`, `citations`."""

from .citations import *  # noqa: F401,F403
from .permits import *  # noqa: F401,F403
from .policy import *  # noqa: F401,F403
