"""The system prompt: the organisation's instructions or Beacon's, and always the source rules."""

from domain.assistant.generation.base import GenerationRequest
from domain.assistant.generation.openai_compatible import (
    BEACON_INSTRUCTIONS,
    SOURCE_HANDLING,
    build_messages,
)


def test_without_instructions_the_model_gets_beacons_own_and_the_source_rules() -> None:
    [system, _] = build_messages(GenerationRequest(question="Why?", sources=[]))
    assert system["content"] == f"{BEACON_INSTRUCTIONS}\n\n{SOURCE_HANDLING}"


def test_an_organisations_instructions_replace_beacons_but_not_the_source_rules() -> None:
    request = GenerationRequest(question="Why?", sources=[], instructions="Answer in French.")
    [system, _] = build_messages(request)
    content = str(system["content"])
    assert content.startswith("Answer in French.")
    assert BEACON_INSTRUCTIONS not in content
    assert content.endswith(SOURCE_HANDLING)
