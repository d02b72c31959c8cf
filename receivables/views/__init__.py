"""Receivables' pages: invoices (list, new, detail, sending, credit memos, statements) and
collections (aging, dunning, follow-up, write-offs, referrals, statistics), each module with its
own urlpatterns."""
