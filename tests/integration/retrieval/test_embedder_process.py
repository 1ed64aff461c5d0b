"""An embedding backend in a process of its own: the same vectors as in-process, and a child
that fails to load, fails a call or dies costs a clear error or one restart, never a hang."""

import asyncio
import functools
import os
import signal
from collections.abc import AsyncIterator, Sequence

import pytest

from domain.retrieval.building import build_backend, build_embedder
from domain.retrieval.embedder_process import EmbedderProcess, EmbedderProcessError
from domain.retrieval.embedding import BatchingEmbedder
from domain.settings import Settings
from tests.fakes.embedders import HashEmbedder

WORDS = HashEmbedder("words", 8)


class WordBackend(BatchingEmbedder):
    """A backend with no model, built in the child by `word_backend`: "boom" fails its call,
    "die" ends the child's process."""

    dimensions = 8
    name = "words"

    def __init__(self, fail_to_load: bool) -> None:
        super().__init__(batch_size=4, threads=2)
        self._fail_to_load = fail_to_load

    def load(self) -> object:
        """Nothing to load, unless told to fail."""
        if self._fail_to_load:
            raise OSError("no model files under /nowhere")
        return self

    @property
    def max_seq_length(self) -> int:
        """As MiniLM's."""
        return 256

    def encode_call(self, texts: Sequence[str]) -> list[list[float]]:
        """The words' vectors, the child's pid as the last value of each."""
        if "die" in texts:
            os._exit(3)
        if "boom" in texts:
            raise ValueError("boom is not a text this backend takes")
        return [[*WORDS.vector(text)[:-1], float(os.getpid())] for text in texts]


def word_backend(fail_to_load: bool = False) -> BatchingEmbedder:
    return WordBackend(fail_to_load)


@pytest.fixture
async def words() -> AsyncIterator[EmbedderProcess]:
    embedder = EmbedderProcess(word_backend)
    yield embedder
    await embedder.close()


async def test_it_takes_its_name_size_and_batching_from_the_backend() -> None:
    embedder = EmbedderProcess(functools.partial(word_backend, False))
    assert (embedder.name, embedder.dimensions) == ("words", 8)
    assert embedder.max_seq_length == 256  # asked of the child, once loaded
    await embedder.close()


async def test_concurrent_requests_get_their_own_vectors_in_order(words: EmbedderProcess) -> None:
    texts = [[f"text {n} of request {r}" for n in range(r % 5 + 1)] for r in range(40)]
    results = await asyncio.gather(*(words.embed(request) for request in texts))
    for request, vectors in zip(texts, results, strict=True):
        assert [vector[:-1] for vector in vectors] == [WORDS.vector(t)[:-1] for t in request]
    child = {vector[-1] for vectors in results for vector in vectors}
    assert child == {float(words.load().process.pid)} != {float(os.getpid())}


async def test_a_backend_that_cannot_load_says_why() -> None:
    embedder = EmbedderProcess(functools.partial(word_backend, True))
    with pytest.raises(EmbedderProcessError, match="OSError: no model files under /nowhere"):
        await embedder.start()
    await embedder.close()


async def test_a_failed_call_is_the_callers_error_and_the_child_serves_on(
    words: EmbedderProcess,
) -> None:
    first = (await words.embed(["fine"]))[0][-1]
    with pytest.raises(EmbedderProcessError, match="ValueError: boom is not a text"):
        await words.embed(["boom"])
    assert (await words.embed(["fine again"]))[0][-1] == first


async def test_a_killed_child_is_replaced_and_the_call_answers(words: EmbedderProcess) -> None:
    killed = words.load().process
    os.kill(killed.pid, signal.SIGKILL)  # type: ignore[arg-type]
    vectors = await words.embed(["still answered"])
    assert vectors[0][:-1] == WORDS.vector("still answered")[:-1]
    assert vectors[0][-1] != float(killed.pid)  # type: ignore[arg-type]


async def test_texts_that_kill_the_child_twice_are_an_error_not_a_loop(
    words: EmbedderProcess,
) -> None:
    with pytest.raises(EmbedderProcessError, match=r"ended .* twice in a row"):
        await words.embed(["die"])
    assert (await words.embed(["a later call"]))[0][:-1] == WORDS.vector("a later call")[:-1]


async def test_closing_ends_the_child_and_a_later_call_starts_another(
    words: EmbedderProcess,
) -> None:
    first = words.load().process
    await words.close()
    assert not first.is_alive() and first.exitcode == 0
    assert (await words.embed(["again"]))[0][-1] != float(first.pid)  # type: ignore[arg-type]


async def test_the_packaged_model_gives_the_same_vectors_in_its_process() -> None:
    texts = ["The lighthouse keeper logged the storm.", "Quarterly revenue rose by 4%."]
    settings = Settings(embedder="torch")
    embedder = build_embedder(settings)
    try:
        apart = await embedder.embed(texts)
    finally:
        await embedder.close()
    here = build_backend("torch", None, settings.embedding_batch_size).encode(texts)
    for a, b in zip(apart, here, strict=True):
        assert sum(x * y for x, y in zip(a, b, strict=True)) == pytest.approx(1.0, abs=1e-5)
