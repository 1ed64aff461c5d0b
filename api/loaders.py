"""Every bounded context's DataLoaders, built fresh for each request."""

from dataclasses import dataclass

from api.assistant.loaders import AssistantLoaders
from api.documents.loaders import DocumentLoaders
from api.identity.loaders import IdentityLoaders
from domain.bootstrap import Services


@dataclass(frozen=True)
class Loaders:
    """The loaders one request may use."""

    identity: IdentityLoaders
    documents: DocumentLoaders
    assistant: AssistantLoaders


def build_loaders(services: Services) -> Loaders:
    """Fresh loaders: caches must never outlive a request."""
    return Loaders(
        identity=IdentityLoaders(services.identity),
        documents=DocumentLoaders(services.documents),
        assistant=AssistantLoaders(services.assistant),
    )
