"""Asking questions: retrieve what the caller may see, generate, cite, remember, account."""

import asyncio
import time
import uuid
from collections.abc import AsyncGenerator
from contextlib import aclosing, nullcontext
from dataclasses import dataclass

import structlog
from tortoise.transactions import in_transaction

from domain.assistant.budget import AnswerBudget
from domain.assistant.citations import CitationData, CitedChunk, cite
from domain.assistant.generation.base import (
    BEACON_PROMPT_VERSION,
    Delta,
    Finished,
    GenerationRequest,
    Generator,
    Meter,
    Source,
    Turn,
)
from domain.assistant.models import Conversation, Message, MessageRole
from domain.audit import log as audit
from domain.documents.models import Chunk, Document
from domain.errors import ConversationFull, InvalidInput, NotFound
from domain.identity.models import Organization
from domain.identity.principal import Principal
from domain.identity.throttling import ActionThrottle
from domain.metrics import METRICS
from domain.pagination import NEWEST_FIRST, Page, paginate
from domain.retrieval.search import SearchService, check_query
from domain.tracing import tracer

_HISTORY_TURNS = 6

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class AssistantLimits:
    """How much context to give and how much a day may cost."""

    sources: int = 5
    max_question_chars: int = 2000
    max_messages_per_conversation: int = 100
    daily_tokens_per_user: int = 200_000
    daily_tokens_per_organization: int = 2_000_000


@dataclass(frozen=True)
class AnswerDelta:
    """More answer text, and the conversation it is joining (known before the answer ends)."""

    text: str
    conversation_id: uuid.UUID


@dataclass(frozen=True)
class AnswerCitations:
    """The answer's citations, once its text is complete."""

    citations: list[CitationData]


@dataclass(frozen=True)
class AnswerDone:
    """The stored reply and its conversation."""

    reply: Message
    conversation: Conversation


AnswerEvent = AnswerDelta | AnswerCitations | AnswerDone


class AssistantService:
    """Conversations with a generator over the caller's documents."""

    def __init__(
        self,
        search: SearchService,
        generator: Generator,
        limits: AssistantLimits,
        throttle: ActionThrottle,
    ) -> None:
        self._search = search
        self._generator = generator
        self._limits = limits
        self._throttle = throttle
        self._budget = AnswerBudget(
            limits.daily_tokens_per_user, limits.daily_tokens_per_organization
        )

    async def answer(
        self, actor: Principal, question: str, conversation_id: str | None = None
    ) -> AsyncGenerator[AnswerEvent, None]:
        """Stream an answer: deltas, then citations, then the stored reply.

        Raises InvalidInput, NotFound (unknown or foreign conversation), BudgetExceeded (the
        day's tokens cannot cover this answer at its largest) or GenerationFailed. Closing the
        iterator stops the generator; the answer is charged what it used until then.
        """
        question = check_query(question, field="question")
        await self._throttle.check_ask(str(actor.user_id))
        conversation = await self._conversation(actor, conversation_id, question)
        await self._budget.check(actor)  # refused before searching when nothing is left
        started = time.perf_counter()
        history = await self._history(conversation)
        rewriting = time.perf_counter()
        with tracer.start_as_current_span("answer.rewrite") if history else nullcontext():
            query = await self._generator.rewrite(question, history) if history else question
        if history:
            log.info("question rewritten", rewrite_ms=_ms_since(rewriting), turns=len(history))
        organization = await Organization.get(id=actor.organization_id)
        limit = organization.answer_sources or self._limits.sources
        searching = time.perf_counter()
        with tracer.start_as_current_span("answer.search") as span:
            hits = await self._search.search(actor, query, limit=limit)
            span.set_attribute("beacon.hits", len(hits))
        search_ms = _ms_since(searching)
        titles = await _titles([hit.document_id for hit in hits])
        sources = [
            Source(
                number=number,
                chunk_id=hit.chunk_id,
                document_id=hit.document_id,
                title=titles.get(hit.document_id, ""),
                text=hit.text,
                page=hit.page,
                score=hit.score,
                heading_path=hit.heading_path,
            )
            for number, hit in enumerate(hits, start=1)
        ]
        request = GenerationRequest(
            question=question,
            sources=sources,
            history=history,
            instructions=organization.system_prompt,
        )
        asked = await self._budget.reserve(
            actor, conversation.id, question, self._generator.max_tokens(request)
        )
        meter = Meter()
        try:
            # The question's text stays out of the audit trail (see the README, "Audit log").
            await audit.record(
                actor.organization_id,
                audit.QUESTION_ASKED,
                actor_id=actor.user_id,
                target_type="conversation",
                target_id=conversation.id,
                details={"characters": len(question)},
            )
            parts: list[str] = []
            finished = Finished()
            generating = time.perf_counter()
            first_delta_ms: float | None = None
            # aclosing: when our consumer goes away, the generator (and any upstream call) stops.
            # Not the current span: the stream yields to the caller, whose context may differ.
            generation = tracer.start_span("answer.generate")
            generation.set_attribute("beacon.generator", self._generator.name)
            try:
                async with aclosing(self._generator.stream(request, meter)) as stream:
                    async for event in stream:
                        if isinstance(event, Delta):
                            if first_delta_ms is None:
                                first_delta_ms = _ms_since(generating)
                                METRICS.first_delta_seconds.observe(time.perf_counter() - started)
                            parts.append(event.text)
                            yield AnswerDelta(event.text, conversation.id)
                        else:
                            meter.prompt_tokens = event.prompt_tokens
                            meter.completion_tokens = event.completion_tokens
                            finished = event
            finally:
                generation.set_attribute("beacon.prompt_tokens", meter.prompt_tokens)
                generation.set_attribute("beacon.completion_tokens", meter.completion_tokens)
                generation.end()
            log.info(
                "answer generated",
                generator=finished.generator or self._generator.name,
                fallback_reason=finished.fallback_reason,
                sources=len(sources),
                search_ms=search_ms,
                generation_ms=_ms_since(generating),
                first_delta_ms=first_delta_ms,
                prompt_tokens=meter.prompt_tokens,
                completion_tokens=meter.completion_tokens,
                total_ms=_ms_since(started),
            )
            text = "".join(parts)
            citations = cite(text, sources, await _cited_chunks(sources))
            yield AnswerCitations(citations)
            async with in_transaction():
                reply = await Message.create(
                    conversation_id=conversation.id,
                    organization_id=actor.organization_id,
                    user_id=actor.user_id,
                    role=MessageRole.ASSISTANT,
                    text=text,
                    citations=[citation.to_json() for citation in citations],
                    prompt_tokens=meter.prompt_tokens,
                    completion_tokens=meter.completion_tokens,
                    latency_ms=int((time.perf_counter() - started) * 1000),
                    generator=finished.generator or self._generator.name,
                    fallback_reason=finished.fallback_reason,
                    prompt_version=prompt_version(organization),
                )
                await self._budget.release(asked)
            _count_tokens(reply)
        except BaseException as error:
            # Failed, timed out, or closed by a consumer that went away (GeneratorExit) or was
            # cancelled: shielded, so that a second cancellation cannot leave the reservation.
            await asyncio.shield(self._budget.charge(asked, meter))
            log.info(
                "answer stopped",
                reason=type(error).__name__,
                completion_tokens=meter.completion_tokens,
                total_ms=_ms_since(started),
            )
            raise
        yield AnswerDone(reply, conversation)

    async def conversation(self, actor: Principal, conversation_id: str) -> Conversation | None:
        """The caller's own conversation; anything else is None."""
        try:
            wanted = uuid.UUID(conversation_id)
        except ValueError:
            return None
        return await Conversation.get_or_none(
            id=wanted, user_id=actor.user_id, organization_id=actor.organization_id
        )

    async def rename(self, actor: Principal, conversation_id: str, title: str) -> Conversation:
        """Give one of the caller's conversations a title of their own (1-200 characters)."""
        title = title.strip()
        if not title or len(title) > 200:
            raise InvalidInput("title", "Give a title of 1 to 200 characters.")
        found = await self.conversation(actor, conversation_id)
        if found is None:
            raise NotFound("No such conversation.")
        found.title = title
        await found.save(update_fields=["title"])
        return found

    async def conversations(
        self, actor: Principal, first: int | None, after: str | None
    ) -> Page[Conversation]:
        """The caller's conversations, newest first."""
        return await paginate(
            Conversation.filter(user_id=actor.user_id), first, after, NEWEST_FIRST
        )

    async def messages(self, conversation_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[Message]]:
        """Messages of many conversations in one query (for data loaders), in order, at most
        `max_messages_per_conversation` each.

        `answer` refuses a question to a full conversation, but two questions racing into
        one with room for one can overshoot: the cut keeps the API's list as bounded as the
        query cost estimate assumes."""
        cap = self._limits.max_messages_per_conversation
        grouped: dict[uuid.UUID, list[Message]] = {cid: [] for cid in conversation_ids}
        rows = await Message.filter(conversation_id__in=conversation_ids).order_by(
            "created_at", "role"
        )
        for message in rows:
            kept = grouped[message.conversation_id]
            if len(kept) < cap:
                kept.append(message)
        return grouped

    async def _conversation(
        self, actor: Principal, conversation_id: str | None, question: str
    ) -> Conversation:
        if conversation_id is None:
            return await Conversation.create(
                organization_id=actor.organization_id,
                user_id=actor.user_id,
                title=question[:200],
            )
        found = await self.conversation(actor, conversation_id)
        if found is None:
            raise NotFound("No such conversation.")
        # A question adds two messages: it and its answer.
        cap = self._limits.max_messages_per_conversation
        if await Message.filter(conversation_id=found.id).count() + 2 > cap:
            raise ConversationFull(cap)
        return found

    async def _history(self, conversation: Conversation) -> list[Turn]:
        recent = (
            await Message.filter(conversation_id=conversation.id)
            .order_by("-created_at")
            .limit(_HISTORY_TURNS)
        )
        return [
            Turn("user" if m.role is MessageRole.USER else "assistant", m.text)
            for m in reversed(recent)
        ]


def _count_tokens(reply: Message) -> None:
    tokens = METRICS.llm_tokens
    tokens.labels("prompt", reply.generator).inc(reply.prompt_tokens)
    tokens.labels("completion", reply.generator).inc(reply.completion_tokens)


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


async def _titles(document_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    rows = await Document.filter(id__in=document_ids).values("id", "title")
    return {row["id"]: row["title"] for row in rows}


async def _cited_chunks(sources: list[Source]) -> dict[uuid.UUID, CitedChunk]:
    rows = await Chunk.filter(id__in=[s.chunk_id for s in sources]).values(
        "id", "start", "page_start"
    )
    return {row["id"]: CitedChunk(start=row["start"], page=row["page_start"]) for row in rows}


def prompt_version(organization: Organization) -> str:
    """What an answer records as the version of the prompt it was generated with."""
    if organization.system_prompt is None:
        return f"beacon-{BEACON_PROMPT_VERSION}"
    return f"organization-{organization.prompt_version}"
