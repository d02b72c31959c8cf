"""Payables' forms, by subject. They parse and check types; the rules (a quantity above zero,
whole cents, the routing check digit, the limits) are the services', which answer with a
sentence the view puts on the form."""
