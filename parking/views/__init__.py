"""Parking's pages, by subject: citations (lookup, entry, contests, notices, plans, the citation
report), permits (permits, the tag inventory, the permits-issued report) and citation imports.
Each module keeps its urlpatterns beside its views."""
