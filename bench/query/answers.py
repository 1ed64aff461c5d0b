"""The answer runners: time to the first delta, and concurrent subscriptions over real sockets."""

import asyncio
import json
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import uvicorn
import websockets

from api.app import create_app
from bench.graphql_overhead import HOST, free_port
from bench.query.measures import percentiles_ms
from bench.query.reports import SizeReport
from bench.query.tenants import SOCKETS_PER_USER, Tenant
from domain.assistant.services import AnswerDelta
from domain.bootstrap import Services
from domain.identity.principal import Principal
from domain.settings import Settings

ANSWER = (
    "subscription($q: String!) { answer(input: {question: $q}) { __typename "
    "... on AnswerError { code message } } }"
)
SOCKET_TIMEOUT = 120.0
PROTOCOL = "graphql-transport-ws"


async def first_deltas(
    services: Services, member: Principal, questions: Sequence[str], report: SizeReport
) -> None:
    """Time from calling `answer` to its first AnswerDelta; each answer is then finished."""
    seconds = []
    for question in questions:
        started = time.perf_counter()
        first: float | None = None
        stream = services.assistant.answer(member, question)
        try:
            async for event in stream:
                if first is None and isinstance(event, AnswerDelta):
                    first = time.perf_counter() - started
        finally:
            await stream.aclose()
        if first is None:
            raise RuntimeError(f"no AnswerDelta for {question!r}")
        seconds.append(first)
    report.first_delta_ms = percentiles_ms(seconds)


@asynccontextmanager
async def uvicorn_server(settings: Settings, services: Services) -> AsyncIterator[int]:
    """The real app on 127.0.0.1 in this process (as bench.graphql_overhead); yields the port."""
    port = free_port()
    config = uvicorn.Config(
        create_app(settings, services),
        host=HOST,
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="on",
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    try:
        for _ in range(200):  # up to 10 s
            if server.started:
                break
            if serving.done():
                serving.result()
            await asyncio.sleep(0.05)
        else:
            raise RuntimeError("uvicorn did not start")
        yield port
    finally:
        server.should_exit = True
        try:
            await asyncio.wait_for(serving, timeout=10)
        except TimeoutError:
            serving.cancel()


async def one_subscription(url: str, token: str, question: str) -> str | None:
    """Subscribe to one answer; None when it ended with AnswerDone and no error, else why."""
    async with websockets.connect(url, subprotocols=[PROTOCOL], open_timeout=30) as ws:  # type: ignore[list-item]
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
        )
        ack = json.loads(await ws.recv())
        if ack.get("type") != "connection_ack":
            return f"no ack: {ack}"
        await ws.send(
            json.dumps(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": ANSWER, "variables": {"q": question}},
                }
            )
        )
        done = False
        while True:
            message = json.loads(await ws.recv())
            kind = message.get("type")
            if kind == "complete":
                return None if done else "completed without AnswerDone"
            if kind != "next" or message["payload"].get("errors"):
                return f"{kind}: {json.dumps(message.get('payload'))[:300]}"
            event = message["payload"]["data"]["answer"]
            if event["__typename"] == "AnswerError":
                return f"AnswerError {event['code']}: {event['message']}"
            done = done or event["__typename"] == "AnswerDone"


async def concurrent_answers(
    settings: Settings,
    services: Services,
    tenants: Sequence[Tenant],
    questions: Sequence[str],
    count: int,
    report: SizeReport,
) -> None:
    """`count` sockets at once, each streaming one answer; a member holds at most 10."""
    tokens = [token for tenant in tenants for token in tenant.tokens.values()]
    if len(tokens) * SOCKETS_PER_USER < count:
        raise RuntimeError(f"{len(tokens)} members cannot hold {count} sockets")
    async with uvicorn_server(settings, services) as port:
        url = f"ws://{HOST}:{port}/graphql"

        async def run(index: int) -> str | None:
            token = tokens[index // SOCKETS_PER_USER]
            question = questions[index % len(questions)]
            try:
                return await asyncio.wait_for(
                    one_subscription(url, token, question), timeout=SOCKET_TIMEOUT
                )
            except (TimeoutError, OSError, websockets.WebSocketException) as error:
                return f"{type(error).__name__}: {error}"

        started = time.perf_counter()
        outcomes = await asyncio.gather(*(run(i) for i in range(count)))
        report.sockets_seconds = time.perf_counter() - started
    report.sockets = count
    report.sockets_done = sum(1 for outcome in outcomes if outcome is None)
    report.socket_errors = sorted({outcome for outcome in outcomes if outcome is not None})
