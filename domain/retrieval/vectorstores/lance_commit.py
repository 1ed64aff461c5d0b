"""Group commit: one LanceDB write at a time per store, and the writes that wait go together.

Why: LanceDB commits optimistically, so concurrent merge_inserts on one table conflict and
retry (each retry re-reads the table, so N writers cost O(N^2) attempts and can hit the 30 s
retry budget), and without a primary key two writers inserting the same new ids both
succeed, leaving duplicate rows. One writer at a time per store avoids both; the table's
declared primary key covers writers in other stores or processes.

And every Lance write is a new table version: while one write runs, the writes that arrive
meanwhile are merged and written together by whichever caller takes the lock next, so
ingesting many small documents costs a few versions instead of one per document.
"""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

Row = dict[str, Any]  # one table row by column name; "id" is the key
# Writes `rows` (distinct ids) in one commit; `new` when every id is known not to be stored.
Commit = Callable[[list[Row], bool], Awaitable[None]]


@dataclass
class _PendingWrite:
    """One caller's rows waiting for the group commit."""

    rows: list[Row]
    new: bool  # added, not upserted: the ids are known not to be stored yet
    done: "asyncio.Future[None]"


class GroupCommit:
    """Serialises a store's writes, merging those that wait into one commit."""

    def __init__(self, commit: Commit) -> None:
        self._commit = commit
        self._pending: list[_PendingWrite] = []
        # Held by every write, and by the store's other changes (deletes, optimisation).
        self.lock = asyncio.Lock()

    async def write(self, rows: list[Row], new: bool) -> None:
        """Write `rows`, with any others waiting meanwhile; raises if the commit failed."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append(_PendingWrite(rows, new, done))
        async with self.lock:
            if not done.done():
                batch, self._pending = self._pending, []
                await self._write(batch)
        await done

    async def _write(self, batch: list[_PendingWrite]) -> None:
        # Later upserts of an id win, as they would have one after another (merge_insert
        # refuses a batch that names an id twice).
        rows = list({row["id"]: row for part in batch for row in part.rows}.values())
        try:
            await self._commit(rows, all(part.new for part in batch))
        except BaseException as error:
            # Everyone in the batch learns of the failure, even if the writer was cancelled.
            failure = error if isinstance(error, Exception) else RuntimeError("write cancelled")
            for part in batch:
                if not part.done.done():
                    part.done.set_exception(failure)
            if not isinstance(error, Exception):
                raise
            return
        for part in batch:
            part.done.set_result(None)
