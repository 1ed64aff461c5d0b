"""What a process does once its adapters are warm."""

import gc
from pathlib import Path

from domain.bootstrap import build_services
from domain.settings import Settings


class _AlreadyWarm:
    """An adapter with nothing to start (the real ones load a model or start processes)."""

    dimensions = 384
    name = "already-warm"


async def test_warming_up_keeps_what_start_up_built_out_of_the_cyclic_gc(tmp_path: Path) -> None:
    services = build_services(
        Settings(data_dir=tmp_path, secret_key="x" * 48),
        embedder=_AlreadyWarm(),
        extractor=_AlreadyWarm(),
    )
    built_at_start_up: list[object] = [services]
    try:
        await services.warm_up()

        assert gc.get_freeze_count() > 0
        assert not any(item is built_at_start_up for item in gc.get_objects())
    finally:
        gc.unfreeze()  # the rest of the test session collects as usual
