"""Composes Query, Mutation and Subscription from the bounded contexts; nothing else."""

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.extensions.tracing import OpenTelemetryExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from api.administration.mutations import AdministrationMutation
from api.administration.queries import AdministrationQuery
from api.assistant.mutations import AssistantMutation
from api.assistant.queries import AssistantQuery
from api.assistant.subscriptions import AssistantSubscription
from api.cost import QueryCost, limit_fragment_spreads
from api.documents.mutations import DocumentMutation
from api.documents.queries import DocumentQuery
from api.documents.subscriptions import DocumentSubscription
from api.errors import is_for_the_client, should_mask
from api.identity.mutations import IdentityMutation
from api.identity.queries import IdentityQuery
from api.identity.sign_in import SignInMutation, SignInQuery
from api.operation_log import OperationLog
from api.text import RefuseUnstorableText
from domain.settings import Settings

log = logging.getLogger("beacon.api")


@strawberry.type(description="Read Beacon.")
class Query(IdentityQuery, SignInQuery, DocumentQuery, AssistantQuery, AdministrationQuery):
    """All queries."""


@strawberry.type(description="Change Beacon.")
class Mutation(
    IdentityMutation, SignInMutation, DocumentMutation, AssistantMutation, AdministrationMutation
):
    """All mutations."""


@strawberry.type(description="Follow Beacon live (graphql-transport-ws).")
class Subscription(DocumentSubscription, AssistantSubscription):
    """All subscriptions."""


class BeaconSchema(strawberry.Schema):
    """Logs unexpected errors with the request id; clients only see them masked."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Tracebacks for bugs, one line for the rest."""
        context: Any = execution_context.context if execution_context else None
        request_id = getattr(context, "request_id", "-")
        for error in errors:
            original = error.original_error
            if original is None or is_for_the_client(error):
                log.info("request %s: %s", request_id, error.message)
            else:
                log.error(
                    "request %s: unexpected error at %s",
                    request_id,
                    error.path,
                    exc_info=(type(original), original, original.__traceback__),
                )


def create_schema(settings: Settings | None = None) -> strawberry.Schema:
    """The schema with the limits of `settings` (defaults when printing the SDL)."""
    settings = settings or Settings()
    # The limiters build their rule classes when constructed. Building them once, and adding
    # the same classes to every operation, lets the validation cache hit: a fresh limiter per
    # request made every request validate from scratch (a third of the request time).
    # The depth and alias limiters expand every fragment spread where it is reached, so a
    # fragment spreading the next one twice doubles their work at every level: they run only
    # on documents within the spread limit.
    rules = [
        limit_fragment_spreads(
            settings.max_fragment_spreads,
            [
                *QueryDepthLimiter(max_depth=settings.max_query_depth).validation_rules,
                *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules,
            ],
        )
    ]
    if not settings.introspection_enabled:
        rules += DisableIntrospection().validation_rules
    # Factories, not instances: Strawberry builds fresh extensions for every operation.
    extensions: list[Callable[[], SchemaExtension]] = [
        OperationLog,
        partial(MaxTokensLimiter, max_token_count=settings.max_query_tokens),
        ParserCache,
        partial(AddValidationRules, rules),
        ValidationCache,
        RefuseUnstorableText,
        OpenTelemetryExtension,
        partial(
            QueryCost,
            max_cost=settings.max_query_cost,
            list_caps={"Conversation.messages": settings.max_messages_per_conversation},
        ),
        partial(MaskErrors, should_mask_error=should_mask, error_message="Unexpected error."),
    ]
    return BeaconSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        config=StrawberryConfig(disable_field_suggestions=not settings.introspection_enabled),
    )
