"""`beacon eval --answers`: the judged questions asked through Beacon's own answer pipeline.

After the retrieval metrics, each question goes through `AssistantService.answer`, as `ask`
runs it: hybrid search over the scratch organisation, the configured generator (extractive,
or the LLM with its fallback), then citations. A pass-through wrapper around the generator
keeps the numbered sources it was given, against which citations are checked
(`cli/answer_metrics.py`) and, with an LLM configured, the judge scores the answer.

Questions without a relevant document are made from the dataset itself: every fifth question
(the first, sixth, ...) is held out. The answerable ones are asked first, on the whole
corpus; then every passage judged relevant to a held-out question is deleted (rows, vectors
and files, as a user's delete and its purge job do), and the held-out ones are asked. What
remains of their topic are passages nobody judged relevant to them: in MS MARCO's pools,
on-topic distractors. The retrieval metrics, measured before, are untouched by this.
"""

import time
import uuid
from collections.abc import AsyncGenerator, Callable, Mapping
from dataclasses import dataclass, field

from cli.answer_judge import FaithfulnessJudge
from cli.answer_metrics import AnswerOutcome, abstains, format_answers, score, summarise
from cli.eval_metrics import RELEVANT_GRADE
from cli.evaluate import Dataset
from domain.assistant.generation.base import (
    Finished,
    GenerationEvent,
    GenerationRequest,
    Generator,
    Meter,
    Turn,
)
from domain.assistant.services import AnswerDone, AssistantLimits, AssistantService
from domain.bootstrap import Services
from domain.documents.services import storage_key
from domain.errors import BeaconError
from domain.identity.principal import Principal
from domain.identity.throttling import ActionThrottle

HELD_OUT_EVERY = 5
# The evaluation asks as fast as it can: neither a person's question rate nor their day's
# token budget applies to it.
_UNLIMITED_RATE = "1000000/minute"
_UNLIMITED_TOKENS = 10**12
PROGRESS_EVERY = 10

Echo = Callable[[str], None]


@dataclass(frozen=True)
class AnswerPlan:
    """The questions to ask, and the passages to leave out for the held-out ones."""

    answerable: dict[str, str]
    unanswerable: dict[str, str]
    left_out: frozenset[str]  # corpus ids judged relevant to a held-out question


def plan_answers(dataset: Dataset, limit: int | None) -> AnswerPlan:
    """The first `limit` judged questions (all by default), every fifth held out."""
    chosen = list(dataset.queries)[:limit]
    held = set(chosen[::HELD_OUT_EVERY])
    left_out = {
        doc
        for question in held
        for doc, grade in dataset.qrels[question].items()
        if grade >= RELEVANT_GRADE
    }
    return AnswerPlan(
        answerable={q: dataset.queries[q] for q in chosen if q not in held},
        unanswerable={q: dataset.queries[q] for q in chosen if q in held},
        left_out=frozenset(left_out),
    )


class _Recording:
    """The configured generator, unchanged, keeping the last request and its Finished event."""

    def __init__(self, inner: Generator) -> None:
        self.name = inner.name
        self._inner = inner
        self.request: GenerationRequest | None = None
        self.finished: Finished | None = None

    async def start(self) -> None:
        await self._inner.start()

    async def close(self) -> None:
        await self._inner.close()

    async def stream(
        self, request: GenerationRequest, meter: Meter | None = None
    ) -> AsyncGenerator[GenerationEvent, None]:
        self.request, self.finished = request, None
        async for event in self._inner.stream(request, meter):
            if isinstance(event, Finished):
                self.finished = event
            yield event

    def max_tokens(self, request: GenerationRequest) -> int:
        return self._inner.max_tokens(request)

    async def rewrite(self, question: str, history: list[Turn]) -> str:
        return await self._inner.rewrite(question, history)


@dataclass
class AnswerEvaluation:
    """Runs after the retrieval metrics (see `cli.evaluate.evaluate`) and keeps the outcomes."""

    plan: AnswerPlan
    echo: Echo
    outcomes: list[AnswerOutcome] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    generator: str = ""
    judged: bool = False
    left_out_documents: int = 0
    seconds: float = 0.0

    async def __call__(
        self, services: Services, actor: Principal, corpus_ids: Mapping[uuid.UUID, list[str]]
    ) -> None:
        started = time.monotonic()
        settings = services.settings
        recorder = _Recording(services.generator)
        assistant = AssistantService(
            services.search,
            recorder,
            AssistantLimits(
                sources=settings.answer_sources,
                max_messages_per_conversation=settings.max_messages_per_conversation,
                daily_tokens_per_user=_UNLIMITED_TOKENS,
                daily_tokens_per_organization=_UNLIMITED_TOKENS,
            ),
            ActionThrottle(_UNLIMITED_RATE, _UNLIMITED_RATE, None),
        )
        judge = FaithfulnessJudge(settings) if settings.llm_base_url else None
        self.generator, self.judged = recorder.name, judge is not None

        async def ask_all(questions: dict[str, str], answerable: bool) -> None:
            for question_id, question in questions.items():
                outcome = await self._ask(
                    assistant, recorder, judge, actor, question_id, question, answerable
                )
                if outcome is not None:
                    self.outcomes.append(outcome)
                asked = len(self.outcomes) + len(self.problems)
                if asked % PROGRESS_EVERY == 0:
                    self.echo(f"answered {asked} questions in {time.monotonic() - started:.0f} s")

        try:
            await ask_all(self.plan.answerable, answerable=True)
            self.left_out_documents = await _leave_out(
                services, actor, corpus_ids, self.plan.left_out
            )
            self.echo(
                f"left out {self.left_out_documents} documents judged relevant to the "
                f"{len(self.plan.unanswerable)} held-out questions"
            )
            await ask_all(self.plan.unanswerable, answerable=False)
        finally:
            if judge is not None:
                await judge.aclose()
        self.seconds = time.monotonic() - started

    async def _ask(
        self,
        assistant: AssistantService,
        recorder: _Recording,
        judge: FaithfulnessJudge | None,
        actor: Principal,
        question_id: str,
        question: str,
        answerable: bool,
    ) -> AnswerOutcome | None:
        try:
            answer = ""
            async for event in assistant.answer(actor, question):
                if isinstance(event, AnswerDone):
                    answer = event.reply.text
        except BeaconError as error:
            self.problems.append(f"question {question_id}: {error.code}: {error.message}")
            return None
        request, finished = recorder.request, recorder.finished
        sources = request.sources if request is not None else []
        texts = {source.number: source.text for source in sources}
        judged = judge is not None and not abstains(answer)
        verdict = await judge.score(question, sources, answer) if judge and judged else None
        return score(
            question_id,
            answerable,
            answer,
            texts,
            judged=judged,
            faithfulness=verdict,
            fallback=finished is not None and finished.fallback_reason is not None,
        )

    def describe(self) -> str:
        """The answer metrics, and how long asking took."""
        report = summarise(self.outcomes)
        asked = len(self.outcomes)
        per_question = self.seconds / asked if asked else 0.0
        return (
            f"{format_answers(report, self.generator, self.judged)}\n"
            f"{asked} questions answered in {self.seconds:.1f} s ({per_question:.2f} s each, "
            f"deleting {self.left_out_documents} left-out documents included)"
        )


async def _leave_out(
    services: Services,
    actor: Principal,
    corpus_ids: Mapping[uuid.UUID, list[str]],
    left_out: frozenset[str],
) -> int:
    """Delete every document holding a left-out passage, vectors and file included."""
    doomed = [doc for doc, ids in corpus_ids.items() if left_out.intersection(ids)]
    for document_id in doomed:
        await services.documents.delete(actor, str(document_id))
        # The worker has stopped: its purge job would never run, so purge here, at once.
        await services.ingestion.purge(document_id, actor.organization_id, storage_key(document_id))
    return len(doomed)
