"""The counter's screens, by subject. Keyboard first: the find box has the focus, a scanned
number and Enter puts its charge in the basket, Tab moves through the tenders, Enter posts."""
