"""Who sees which document: the one rule, for SQL queries and for vector-store queries."""

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from domain.documents.models import Document
from domain.identity.principal import Principal
from domain.retrieval.vectorstores.base import Access
from domain.visibility import Visibility


def visible_documents(actor: Principal) -> QuerySet[Document]:
    """ORGANIZATION documents of the caller's organisation, plus PRIVATE ones they may see."""
    query = Document.filter(organization_id=actor.organization_id)
    if actor.is_admin:
        return query
    return query.filter(Q(visibility=Visibility.ORGANIZATION) | Q(uploaded_by_id=actor.user_id))


def vector_access(actor: Principal) -> Access:
    """The same rule, for the vector store to apply inside its query."""
    return Access(
        organization_id=actor.organization_id, user_id=actor.user_id, is_admin=actor.is_admin
    )


def can_delete(actor: Principal, document: Document) -> bool:
    """The uploader or an ADMIN of the organisation."""
    return actor.is_admin or document.uploaded_by_id == actor.user_id
