"""The orders a document list can be read in."""

from enum import StrEnum

from tortoise.expressions import Case, RawSQL, When
from tortoise.functions import Lower

from domain.documents.models import DocumentStatus
from domain.pagination import Direction, Ordering


class DocumentOrderField(StrEnum):
    """What a document list is sorted by (then by id, so ties keep one stable order)."""

    CREATED_AT = "CREATED_AT"
    TITLE = "TITLE"
    STATUS = "STATUS"


def _title_key() -> Lower:
    # People expect "apple" before "Zebra": SQLite's binary order would put capitals first.
    return Lower("title")


def _status_rank() -> Case:
    # Lifecycle order (QUEUED, PARSING, ... READY, FAILED), the enum's order, rather than the
    # alphabetical order of the stored names; a CASE keeps it free of a stored column. The
    # ranks are SQL literals: as bound parameters PostgreSQL would type the CASE as text.
    ranks = [
        When(status=status, then=RawSQL(str(rank)))  # type: ignore[arg-type]
        for rank, status in enumerate(DocumentStatus)
    ]
    return Case(*ranks, default=RawSQL(str(len(DocumentStatus))))  # type: ignore[arg-type]


def document_ordering(
    by: DocumentOrderField = DocumentOrderField.CREATED_AT, direction: Direction = Direction.DESC
) -> Ordering:
    """The keyset ordering for a field and direction; newest first by default."""
    if by is DocumentOrderField.TITLE:
        return Ordering("title_key", direction, _title_key, str)
    if by is DocumentOrderField.STATUS:
        return Ordering("status_rank", direction, _status_rank, int)
    return Ordering("created_at", direction)
