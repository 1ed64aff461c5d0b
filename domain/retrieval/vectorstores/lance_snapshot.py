"""When the LanceDB adapter answers dense search from an exact in-memory `Snapshot`.

Dense search is answered from the snapshot (see `exact.py`) while the table is at most
`max_rows` rows and the snapshot is of the table's current version; otherwise LanceDB
answers, and a snapshot of the new version is loaded in the background. So a search never
sees a stale row, and sees a written row at once.
"""

import asyncio
import logging
import time

import lancedb

from domain.retrieval.vectorstores.base import Access, FloatMatrix, VectorHit
from domain.retrieval.vectorstores.exact import ACCESS_COLUMNS, Snapshot
from domain.retrieval.vectorstores.lance_table import HIT_COLUMNS, row_hit

log = logging.getLogger("beacon.vectors")

# Up to this many rows dense search runs on an in-memory copy (measured: ~250 MB retained
# per 100k rows, the vectors and a hit per row; more while a copy loads).
EXACT_SEARCH_MAX_ROWS = 250_000
# A search over at most this many rows takes ~2 ms, less than handing it to a thread costs
# in wake-ups under load; larger ones leave the event loop free.
INLINE_SEARCH_MAX_ROWS = 50_000
# A new version is loaded only once the table has kept it this long: during bulk ingestion
# every load would be stale within a second, and each full read of the table also leaves
# LanceDB's and Arrow's allocators holding more memory (measured: RSS +20-100 MB per read
# of 100k rows). Searches meanwhile go to LanceDB, as fresh and a few ms slower.
SNAPSHOT_QUIET_SECONDS = 1.0
# And a load may start only this many times its own duration after the previous one ended,
# so a table written every few seconds costs at most a fifth of a core in reloads.
SNAPSHOT_LOAD_SPACING = 4.0


class ExactSnapshots:
    """One store's snapshot of its table, loaded when the table is small and quiet."""

    def __init__(self, max_rows: int = EXACT_SEARCH_MAX_ROWS) -> None:
        self._max_rows = max_rows
        self._snapshot: Snapshot | None = None
        self._load_task: asyncio.Task[None] | None = None
        self._next_load = 0.0  # time.monotonic() before which none starts
        self._latest_version = (-1, 0.0)  # the newest version seen, and when first seen

    @property
    def background_load(self) -> "asyncio.Task[None] | None":
        """The load a search started last, if any has."""
        return self._load_task

    async def search(
        self, table: lancedb.AsyncTable, vector: FloatMatrix, access: Access, limit: int
    ) -> list[VectorHit] | None:
        """The exact answer if the snapshot is of `table`'s current version, else None (and
        a load of the current version may start in the background)."""
        snapshot = await self.current(table)
        if snapshot is None:
            return None
        if snapshot.visible_rows(access) <= INLINE_SEARCH_MAX_ROWS:
            return snapshot.search(vector, access, limit)
        return await asyncio.to_thread(snapshot.search, vector, access, limit)

    async def current(self, table: lancedb.AsyncTable) -> Snapshot | None:
        """The snapshot if it is of the table's current version, else None (and reload)."""
        if self._max_rows < 1:
            return None
        version = await table.version()
        snapshot = self._snapshot
        if snapshot is not None and snapshot.version == version:
            return snapshot
        now = time.monotonic()
        if version != self._latest_version[0]:
            self._latest_version = (version, now)
        quiet = now - self._latest_version[1] >= SNAPSHOT_QUIET_SECONDS
        loading = self._load_task is not None and not self._load_task.done()
        if quiet and not loading and now >= self._next_load:
            self._load_task = asyncio.create_task(self._load(table))
        return None

    async def load(self, table: lancedb.AsyncTable) -> bool:
        """Load the snapshot of the current version now; False if the table is too large (or
        the load failed, which is logged)."""
        if self._load_task is not None:
            await asyncio.gather(self._load_task, return_exceptions=True)
        await self._load(table)
        return self._snapshot is not None

    async def close(self) -> None:
        """Stop a load in progress and drop the snapshot."""
        if self._load_task is not None:
            self._load_task.cancel()
            await asyncio.gather(self._load_task, return_exceptions=True)
        self._snapshot = self._load_task = None

    async def _load(self, table: lancedb.AsyncTable) -> None:
        started = time.monotonic()
        try:
            version = await table.version()
            if self._snapshot is not None and self._snapshot.version == version:
                return
            self._snapshot = None  # free the old copy before reading the new one
            if await table.count_rows() > self._max_rows:
                return
            data = await table.query().select([*HIT_COLUMNS, *ACCESS_COLUMNS]).to_arrow()
            if await table.version() != version:
                return  # written to while reading: the rows may mix versions
            self._snapshot = await asyncio.to_thread(Snapshot.from_arrow, version, data, row_hit)
        except Exception:
            # Searches stay correct without a snapshot (LanceDB answers); the next quiet
            # moment tries again.
            log.warning("loading the exact search snapshot failed", exc_info=True)
        finally:
            elapsed = time.monotonic() - started
            self._next_load = time.monotonic() + SNAPSHOT_LOAD_SPACING * elapsed
