"""Domain errors reach clients as union members through one table, with their message, code
and details; an answer's failures are one type, which implements Error."""

import pytest
from graphql import GraphQLObjectType, GraphQLUnionType

from api import errors as api
from api.schema import create_schema
from domain import errors as domain
from domain.assistant.generation.base import GenerationFailed


@pytest.mark.parametrize(
    ("error", "member"),
    [
        (domain.InvalidInput("title", "Too long."), api.ValidationError),
        (domain.WeakPassword("password", "Too short."), api.ValidationError),
        (domain.ConversationFull(100), api.ValidationError),
        (domain.RateLimited(7), api.TooManyAttempts),
        (domain.NotFound("No such answer."), api.NotFoundError),
        (domain.InvalidCredentials(), api.InvalidCredentials),
        (domain.InvalidToken("The refresh token is not valid."), api.InvalidRefreshToken),
        (domain.AccountDeactivated(), api.InvalidRefreshToken),
        (domain.MissingToken("No refresh token."), api.InvalidRefreshToken),
        (domain.RefreshTokenReused(), api.InvalidRefreshToken),
        (domain.EmailAlreadyRegistered(), api.EmailAlreadyRegistered),
        (domain.SignUpDisabled(), api.SignUpDisabled),
        (domain.LastActiveAdmin(), api.LastActiveAdmin),
        (domain.UnsupportedDocument("Not a document."), api.FileRejected),
        (domain.DocumentTooLarge("Over 50 MB."), api.FileRejected),
        (domain.BudgetExceeded("Spent."), api.BudgetExceeded),
    ],
)
def test_each_domain_error_becomes_its_union_member_with_its_message_and_code(
    error: domain.BeaconError, member: type[api.Error]
) -> None:
    found = api.error_member(error)  # type: ignore[call-overload]  # every kind at once

    assert type(found) is member
    assert (found.message, found.code) == (error.message, error.code)


def test_a_validation_error_names_its_field_and_a_throttled_one_its_wait() -> None:
    assert api.error_member(domain.ConversationFull(3)).field == "conversationId"
    assert api.error_member(domain.RateLimited(7)).retry_after_seconds == 7


def test_an_error_without_a_member_is_a_bug_not_a_silent_member() -> None:
    with pytest.raises(TypeError, match="PermissionDenied"):
        api.error_member(domain.PermissionDenied("No."))  # type: ignore[call-overload]


def test_any_failure_of_an_answer_is_an_answer_error_with_its_code() -> None:
    failed = api.answer_error(GenerationFailed("LLM_TIMEOUT", "The model took too long."))

    assert (failed.code, failed.message) == ("LLM_TIMEOUT", "The model took too long.")


def test_ask_and_the_answer_stream_report_a_failure_with_one_type_that_implements_error() -> None:
    schema = create_schema()._schema
    answer_error = schema.type_map["AnswerError"]
    ask_result = schema.type_map["AskResult"]
    answer_event = schema.type_map["AnswerEvent"]
    assert isinstance(answer_error, GraphQLObjectType)
    assert isinstance(ask_result, GraphQLUnionType) and isinstance(answer_event, GraphQLUnionType)

    assert [kind.name for kind in answer_error.interfaces] == ["Error"]
    assert answer_error in ask_result.types and answer_error in answer_event.types
    assert "AnswerFailed" not in schema.type_map
