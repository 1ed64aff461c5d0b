"""The ONNX embedder: torch's vectors (fp32) or close to them (int8), through the same batcher."""

import asyncio
import threading
from collections.abc import Iterator

import pytest

from domain.retrieval.embedding import SentenceTransformerEmbedder, bundled_model_path
from domain.retrieval.onnx_embedding import OnnxEmbedder, tokenizer
from domain.retrieval.onnx_export import read_config

TEXTS = [
    "Employees must keep receipts for travel expenses.",
    "Receipts are required when you claim travel costs.",
    "what is the maximum weight for checked luggage on international flights",
    "The Treaty of Westphalia, signed in 1648, ended the Thirty Years' War and established "
    "the principle of state sovereignty that shaped European diplomacy for centuries.",
    "Photosynthesis converts light energy into chemical energy stored in glucose; the "
    "oxygen released comes from splitting water molecules in the thylakoid membranes.",
    "Reset your password from the sign-in page: choose 'Forgot password' and follow the link "
    "we e-mail you within ten minutes.",
    "Le comité se réunit chaque mardi pour examiner les demandes de congé.",
    "The quarterly report shows revenue up 12% and costs down 3%. " * 30,  # over 256 tokens
]


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


@pytest.fixture(scope="module")
def torch_vectors() -> list[list[float]]:
    return SentenceTransformerEmbedder(threads=1).encode(TEXTS)


@pytest.fixture(scope="module")
def int8() -> Iterator[OnnxEmbedder]:
    embedder = OnnxEmbedder("int8", batch_size=16)
    embedder.load()
    yield embedder
    asyncio.run(embedder.close())


async def test_fp32_onnx_vectors_are_torchs(torch_vectors: list[list[float]]) -> None:
    embedder = OnnxEmbedder("fp32", batch_size=16)
    try:
        vectors = await embedder.embed(TEXTS)
    finally:
        await embedder.close()

    assert min(cosine(a, b) for a, b in zip(vectors, torch_vectors, strict=True)) > 0.9999


async def test_int8_onnx_vectors_stay_close_to_torchs(
    int8: OnnxEmbedder, torch_vectors: list[list[float]]
) -> None:
    vectors = await int8.embed(TEXTS)

    cosines = [cosine(a, b) for a, b in zip(vectors, torch_vectors, strict=True)]
    # Measured on 256 MS MARCO passages: 0.993 on average, 0.987 at worst.
    assert sum(cosines) / len(cosines) > 0.99
    assert min(cosines) > 0.98
    assert all(abs(cosine(v, v) - 1.0) < 1e-4 for v in vectors)


def test_int8_vectors_are_named_apart_from_torchs_and_fp32_shares_torchs_name() -> None:
    assert OnnxEmbedder("int8").name == "all-MiniLM-L6-v2-onnx-int8"
    assert OnnxEmbedder("fp32").name == SentenceTransformerEmbedder().name == "all-MiniLM-L6-v2"


def test_the_tokenizer_reads_what_sentence_transformers_reads() -> None:
    model = SentenceTransformerEmbedder(threads=1).load()
    features = model.preprocess(TEXTS)
    config = read_config(bundled_model_path())

    encodings = tokenizer(bundled_model_path(), config).encode_batch(TEXTS)

    assert [e.ids for e in encodings] == features["input_ids"].tolist()
    assert [e.attention_mask for e in encodings] == features["attention_mask"].tolist()
    assert len(encodings[-1].ids) == config.max_seq_length == 256


def test_it_reads_as_many_tokens_as_torch(int8: OnnxEmbedder) -> None:
    assert int8.max_seq_length == 256


async def test_model_calls_run_in_the_model_threads_and_merge_concurrent_requests(
    int8: OnnxEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, int]] = []
    original = int8.encode_call

    def recording(texts):  # type: ignore[no-untyped-def]
        calls.append((threading.current_thread().name, len(texts)))
        return original(texts)

    monkeypatch.setattr(int8, "encode_call", recording)
    texts = [f"document number {i} talks about topic {i % 7}" for i in range(40)]
    alone = [original([text])[0] for text in texts]
    calls.clear()

    results = await asyncio.gather(*(int8.embed([text]) for text in texts))

    assert all(thread.startswith("embedder-") for thread, _ in calls)
    assert len(calls) < len(texts)  # merged
    # Dynamic quantisation scales a call's activations by their range over the whole call,
    # so an int8 vector depends a little on the texts it was encoded with.
    for got, expected in zip(results, alone, strict=True):
        assert cosine(got[0], expected) > 0.98


async def test_a_failed_onnx_call_reaches_every_waiter(
    int8: OnnxEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(texts):  # type: ignore[no-untyped-def]
        raise MemoryError("out of memory")

    monkeypatch.setattr(int8, "encode_call", broken)
    results = await asyncio.gather(*(int8.embed(["x"]) for _ in range(5)), return_exceptions=True)
    assert all(isinstance(r, MemoryError) for r in results)
