"""How a duty app's source object hears about its charges.

Both signals are sent inside the posting transaction, with `sender` the source object's model
class (or Charge when the charge has no source), so a receiver's own changes (a license issued,
a citation re-opened) commit or roll back with the money. Receivers must not do slow or
external work; use transaction.on_commit for that.

    charge_settled(sender, charge, acting_user)    balance reached zero (paid, waived, written off)
    charge_reopened(sender, charge, acting_user)   a settled charge has a balance again (void, returned check)
    charges_requested(sender, number, on, acting_user)  a document's charges are about to be paid (the counter
                                                   found its number): bring time-dependent charges (a late
                                                   penalty that grows by the month) up to the day of payment
                                                   A receiver may return further document numbers whose
                                                   open charges belong in the same basket (an amended
                                                   return's extra tax); the counter adds those too.
"""

from django.dispatch import Signal

charge_settled = Signal()
charge_reopened = Signal()
charges_requested = Signal()
