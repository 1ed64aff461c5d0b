"""When the model fails before its first word, the extractive generator answers instead."""

import uuid

import pytest

from domain.assistant.generation.base import (
    Delta,
    Finished,
    GenerationEvent,
    GenerationFailed,
    GenerationRequest,
    Meter,
    Source,
    Turn,
)
from domain.assistant.generation.extractive import ExtractiveGenerator
from domain.assistant.generation.fallback import FallbackGenerator
from tests.fakes.generators import ScriptedGenerator
from tests.integration.assistant.test_openai_generator import generator_for
from tests.support.live_server import free_port

REQUEST = GenerationRequest(
    question="Are receipts required?",
    sources=[
        Source(
            number=1,
            chunk_id=uuid.uuid4(),
            document_id=uuid.uuid4(),
            title="Travel policy",
            text="Receipts are required for every expense over 25 euros.",
            page=None,
            score=1.0,
        )
    ],
)


def fails_after_one_word() -> ScriptedGenerator:
    """A model that starts an answer and then loses its connection."""
    return ScriptedGenerator(
        ["Receipts "],
        failure=GenerationFailed("LLM_ERROR", "The connection dropped."),
        max_tokens=10,
        rewrite_failure=GenerationFailed(
            "LLM_UNAVAILABLE", "The language model cannot be reached."
        ),
        name="flaky",
    )


async def answer(generator: FallbackGenerator) -> list[GenerationEvent]:
    return [event async for event in generator.stream(REQUEST, Meter())]


async def test_an_unreachable_model_is_replaced_by_the_extractive_answer() -> None:
    async with generator_for(f"http://127.0.0.1:{free_port()}/v1", max_retries=0) as model:
        events = await answer(FallbackGenerator(model, ExtractiveGenerator()))

    text = "".join(event.text for event in events if isinstance(event, Delta))
    assert "Receipts are required" in text and "[1]" in text
    assert events[-1] == Finished(generator="extractive", fallback_reason="LLM_UNAVAILABLE")


async def test_a_model_that_already_spoke_fails_as_it_is() -> None:
    generator = FallbackGenerator(fails_after_one_word(), ExtractiveGenerator())
    with pytest.raises(GenerationFailed) as failed:
        await answer(generator)
    assert failed.value.code == "LLM_ERROR"


async def test_a_follow_up_is_rewritten_without_the_model_when_it_fails() -> None:
    generator = FallbackGenerator(fails_after_one_word(), ExtractiveGenerator())
    history = [
        Turn(role="user", text="What is the travel policy?"),
        Turn(role="assistant", text="…"),
    ]
    assert await generator.rewrite("And receipts?", history)


async def test_starting_and_closing_the_fallback_starts_and_closes_both_generators() -> None:
    model, fallback = fails_after_one_word(), ScriptedGenerator()
    generator = FallbackGenerator(model, fallback)

    await generator.start()
    await generator.close()

    assert (model.started, model.closed) == (1, 1)
    assert (fallback.started, fallback.closed) == (1, 1)
