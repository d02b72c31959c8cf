"""Fixtures of the utility billing tests, by part."""

from .orders_fixtures import make_premise, pay, premise, utility  # noqa: F401 - ub-orders
