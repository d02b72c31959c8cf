"""Gapless document numbers and the one-time tokens of forms."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction

from ..dates import city_today, fiscal_year_of
from ..exceptions import (
    DuplicateSubmission,
    RevenueError,
)
from ..models import (
    SubmissionToken,
)


def number_format(*, kind: str, year: int, n: int, per_year: bool = True) -> str:
    """How a document number is written: R2027-000123 (kind, fiscal or tax year, six digits), or
    P000123 for a kind numbered once for all years. The one place the format is written."""
    return f"{kind}{year}-{n:06d}" if per_year else f"{kind}{n:06d}"


def _sequence_year(*, on, per_year: bool, year: int | None) -> int:
    if year is not None:  # a document with a year of its own (a license's tax year)
        return year
    return fiscal_year_of(on or city_today()) if per_year else 0


def number_next(
    *, kind: str, on: datetime.date | None = None, per_year: bool = True, year: int | None = None
) -> str:
    """The next gapless number of a kind, e.g. R2027-000123 (per fiscal year) or P000123.

    One upsert statement takes and locks the sequence row until the surrounding transaction
    ends, so concurrent takers queue and a rollback returns the number."""
    block = numbers_reserve(kind=kind, on=on, count=1, per_year=per_year, year=year)
    return block.number(0)


@dataclass(frozen=True)
class NumberBlock:
    """A block of consecutive gapless numbers reserved in the caller's transaction."""

    kind: str
    year: int
    per_year: bool
    first: int  # the first number of the block (1-based within its year)
    count: int

    def number(self, i: int) -> str:
        """The i-th number of the block, from 0."""
        if not 0 <= i < self.count:
            raise IndexError(f"number {i} is outside a block of {self.count}")
        return number_format(kind=self.kind, year=self.year, n=self.first + i, per_year=self.per_year)

    @property
    def numbers(self) -> list[str]:
        return [self.number(i) for i in range(self.count)]

    def sql(self, position: str) -> str:
        """An SQL expression for the number at `position`, an SQL expression counting 1, 2, …
        (such as a row_number() column), for set-based INSERTs. The kind and year are validated
        by the sequence's constraints; the expression holds only integers and the kind's letters."""
        if not self.kind.isalnum():
            raise ValueError(f"unexpected document kind {self.kind!r}")
        offset = self.first - 1
        if self.per_year:
            return f"'{self.kind}{self.year}-' || lpad(({offset} + {position})::text, 6, '0')"
        return f"'{self.kind}' || lpad(({offset} + {position})::text, 6, '0')"


def numbers_reserve(
    *,
    kind: str,
    count: int,
    on: datetime.date | None = None,
    per_year: bool = True,
    year: int | None = None,
) -> NumberBlock:
    """Reserve `count` consecutive gapless numbers of a kind in the caller's transaction: one
    upsert that takes and row-locks the kind's counter until the transaction ends, so a rollback
    returns the whole block and concurrent takers queue behind it.

    `count=0` reserves nothing but takes the lock: a batch run takes it first, so that anything
    that takes a number meanwhile has finished before the run reads its candidates."""
    if not connection.in_atomic_block:
        raise RuntimeError("numbers must be taken inside the posting transaction")
    if not isinstance(count, int) or count < 0:
        raise ValueError(f"count must be a whole number, not {count!r}")
    year = _sequence_year(on=on, per_year=per_year, year=year)
    with connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO revenue_documentsequence (kind, fiscal_year, last_number) VALUES (%s, %s, %s)
            ON CONFLICT (kind, fiscal_year)
            DO UPDATE SET last_number = revenue_documentsequence.last_number + EXCLUDED.last_number
            RETURNING last_number
            """,
            [kind, year, count],
        )
        (last,) = cur.fetchone()
    return NumberBlock(kind=kind, year=year, per_year=per_year, first=last - count + 1, count=count)


# --------------------------------------------------------------------------- double submits


def submission_claim(*, key, user, result_url: str = "") -> None:
    """Record that the form with token `key` is being done; raise DuplicateSubmission if it was.

    Call inside the transaction that does the work: if the work fails the claim is rolled back
    and the clerk may submit again; a concurrent second submit waits on the unique key and then
    finds it taken."""
    try:
        key = uuid.UUID(str(key))
    except ValueError as exc:
        raise RevenueError("This form has expired. Reload the page and enter it again.") from exc
    existing = SubmissionToken.objects.filter(key=key).first()
    if existing:
        raise DuplicateSubmission(
            "This form was already submitted; it was not posted twice.", existing.result_url
        )
    try:
        with transaction.atomic():
            SubmissionToken.objects.create(key=key, user=user, result_url=result_url)
    except IntegrityError as exc:
        raise DuplicateSubmission("This form was already submitted; it was not posted twice.") from exc


def submission_result(*, key, result_url: str) -> None:
    SubmissionToken.objects.filter(key=key).update(result_url=result_url)


def submission_release(*, key) -> None:
    """Give back a form's token claimed in a transaction of its own (an import that commits in
    chunks claims first): the work was refused before anything was written, so the same form may
    be sent again."""
    try:
        key = uuid.UUID(str(key))
    except ValueError:
        return
    SubmissionToken.objects.filter(key=key).delete()
