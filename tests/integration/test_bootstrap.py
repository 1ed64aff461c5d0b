"""What a process does once its adapters are warm."""

import gc
from pathlib import Path

from domain.bootstrap import Adapters, build_services
from domain.retrieval.building import build_embedder
from domain.retrieval.embedder_process import EmbedderProcess
from domain.retrieval.embedding import SentenceTransformerEmbedder
from domain.retrieval.onnx_embedding import OnnxEmbedder
from domain.settings import Settings


class _AlreadyWarm:
    """An adapter with nothing to start (the real ones load a model or start processes)."""

    dimensions = 384
    name = "already-warm"

    async def start(self) -> None:
        """Nothing to start."""

    async def close(self) -> None:
        """Nothing to release."""


async def test_warming_up_keeps_what_start_up_built_out_of_the_cyclic_gc(tmp_path: Path) -> None:
    services = build_services(
        Settings(data_dir=tmp_path, secret_key="x" * 48),
        Adapters(embedder=_AlreadyWarm(), extractor=_AlreadyWarm()),
    )
    built_at_start_up: list[object] = [services]
    try:
        await services.warm_up()

        assert gc.get_freeze_count() > 0
        assert not any(item is built_at_start_up for item in gc.get_objects())
    finally:
        gc.unfreeze()  # the rest of the test session collects as usual


class _Recorded(_AlreadyWarm):
    """The caller's adapter, counting its starts and closes."""

    def __init__(self) -> None:
        self.started = self.closed = 0

    async def start(self) -> None:
        self.started += 1

    async def close(self) -> None:
        self.closed += 1


async def test_the_services_start_the_callers_adapters_and_leave_closing_them_to_it(
    tmp_path: Path,
) -> None:
    embedder, extractor = _Recorded(), _Recorded()
    services = build_services(
        Settings(data_dir=tmp_path, secret_key="x" * 48),
        Adapters(embedder=embedder, extractor=extractor),
    )
    await services.start()
    try:
        await services.warm_up()
    finally:
        gc.unfreeze()
        await services.close()

    assert (embedder.started, embedder.closed) == (1, 0)
    assert (extractor.started, extractor.closed) == (1, 0)


def test_the_embedder_is_the_one_the_settings_name_in_a_process_of_its_own_int8_onnx_by_default(
    tmp_path: Path,
) -> None:
    def embedder(choice: str) -> object:
        settings = Settings(data_dir=tmp_path, embedder=choice, embedder_cache_dir=tmp_path)
        built = build_embedder(settings)
        assert isinstance(built, EmbedderProcess)
        return built.backend

    assert isinstance(embedder("torch"), SentenceTransformerEmbedder)
    int8, fp32 = embedder("onnx"), embedder("onnx-fp32")
    assert isinstance(int8, OnnxEmbedder) and int8.precision == "int8"
    assert isinstance(fp32, OnnxEmbedder) and fp32.precision == "fp32"
    assert Settings(data_dir=tmp_path).embedder == "onnx"
