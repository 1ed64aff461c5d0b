"""Who may see a document and its chunks: one enum from the database row to the vector store.

It lives apart from the documents' models because the organisation's default, the vector
records and the stores' access filters all speak of it, and none of them should import the
documents' ORM module to do so.
"""

from enum import StrEnum


class Visibility(StrEnum):
    """Who may see a document."""

    ORGANIZATION = "ORGANIZATION"  # every member of the organisation
    PRIVATE = "PRIVATE"  # the uploader and the organisation's ADMINs
