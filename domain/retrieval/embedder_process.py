"""An embedding backend run in a process of its own, behind the same port.

Why: a model call spends most of its time in torch's kernels, which release the GIL, but it
takes the GIL back between operators, hundreds of times a call. In a process that also
serves the API or drives ingestion, every one of those returns waits for whoever holds the
GIL (up to the interpreter's 5 ms switch interval). Profiled on `beacon serve` with 8
concurrent uploaders: the event loop held the GIL 38% of the time, and while the uploads
went on, documents became READY at less than half the bare embedder's rate, though the
process used only 1.4 of the 2 cores. In a process of its own the model has an interpreter
to itself; the calling process sends texts and receives vectors. The model also loads there,
beside the parser processes and the caller's own start-up rather than after them.

The calling side keeps `BatchingEmbedder`'s merging of concurrent requests; each of its model
threads has a pipe to a thread of the child, which runs the backend's `encode` (grouping by
length, single-threaded torch per thread, as in-process). A child that dies (killed, out of
memory) is replaced on the next call, and the call that saw it die is tried once more.
(pebble's pool, which runs the parsers, runs one task at a time per process: threads sharing
one model need a process that serves several pipes, and this small loop is that.)
"""

import asyncio
import multiprocessing
import os
import queue
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from domain.retrieval.embedding import BatchingEmbedder

# Builds the backend, unloaded; run in both processes, so it must pickle (a module-level
# function, or a functools.partial of one).
BackendFactory = Callable[[], BatchingEmbedder]
Reply = tuple[str, object]  # ("ready", max_seq_length), ("ok", vectors) or ("error", message)

# How long a child has to exit once its pipes are closed (or after it reported a failed
# load) before it is killed. Loading has no such limit: on a busy machine the model may take
# minutes to load (torch's import alone takes seconds).
_STOP_SECONDS = 10


class EmbedderProcessError(RuntimeError):
    """The embedder's process could not load its model, failed a call, or died twice."""


class EmbedderProcess(BatchingEmbedder):
    """The backend `factory` builds, loaded and run in a spawned child process."""

    def __init__(self, factory: BackendFactory) -> None:
        self.backend = factory()  # unloaded, here: the name, size and batching it has
        super().__init__(self.backend._batch_size, self.backend._thread_count)
        self.name = self.backend.name
        self.dimensions = self.backend.dimensions
        self.call_cost_characters = self.backend.call_cost_characters
        self._factory = factory
        self._child: _Child | None = None

    def load(self) -> "_Child":
        """The running child, started (and its model loaded) if none is."""
        with self._lock:
            if self._child is None or not self._child.process.is_alive():
                if self._child is not None:
                    self._child.stop()
                self._child = _Child.start(self._factory, self._thread_count)
            return self._child

    @property
    def max_seq_length(self) -> int:
        """Tokens the model reads per text, as the child's backend reported."""
        return self.load().max_seq_length

    def encode(self, texts: Sequence[str]) -> list[list[float]]:
        """One round trip: the child groups the texts by length itself."""
        for attempt in (1, 2):
            child = self.load()
            connection = child.idle.get()
            if connection is None:  # the child was stopped while this call waited
                continue
            try:
                connection.send(list(texts))
                status, reply = connection.recv()  # (str, object): a Reply
            except (EOFError, OSError) as error:
                child.stop()  # the next load starts another
                if attempt == 2:
                    raise EmbedderProcessError(
                        f"the embedder process ended (exit code {child.process.exitcode}) "
                        "while encoding, twice in a row"
                    ) from error
                continue
            child.idle.put(connection)
            if status != "ok":
                raise EmbedderProcessError(f"the embedder failed: {reply}")
            vectors: list[list[float]] = reply
            return vectors
        raise EmbedderProcessError("the embedder process was stopped while encoding")

    def encode_call(self, texts: Sequence[str]) -> list[list[float]]:
        """One model call, in the child."""
        return self.encode(texts)

    async def close(self) -> None:
        """Stop the model threads, then the child."""
        await super().close()
        with self._lock:
            child, self._child = self._child, None
        if child is not None:
            await asyncio.to_thread(child.stop)


@dataclass
class _Child:
    """A running child: its process, its pipes not in use, what its model reads."""

    process: BaseProcess
    connections: list[Connection]
    max_seq_length: int
    idle: "queue.SimpleQueue[Connection | None]" = field(default_factory=queue.SimpleQueue)
    _stopped: bool = False

    @classmethod
    def start(cls, factory: BackendFactory, pipes: int) -> "_Child":
        """Spawn the child, one pipe per model thread, and wait until its model is loaded."""
        context = multiprocessing.get_context("spawn")
        pairs = [context.Pipe() for _ in range(pipes)]
        ours, theirs = [pair[0] for pair in pairs], [pair[1] for pair in pairs]
        # A daemon: it ends with the calling process even when that one never closes it.
        process = context.Process(
            target=_serve, args=(factory, theirs), name="beacon-embedder", daemon=True
        )
        process.start()
        for end in theirs:  # only the child holds them: its death is our EOF
            end.close()
        try:
            status, detail = ours[0].recv()
        except EOFError:
            process.join()
            raise EmbedderProcessError(
                f"the embedder process exited (code {process.exitcode}) while loading its model"
            ) from None
        if status != "ready":
            process.join(_STOP_SECONDS)
            raise EmbedderProcessError(f"the embedder could not load its model: {detail}")
        assert isinstance(detail, int)
        child = cls(process, ours, detail)
        for connection in ours:
            child.idle.put(connection)
        return child

    def stop(self) -> None:
        """Close the pipes (the child's threads see their end and it exits), then reap it;
        calls waiting for a pipe are woken to find it gone (idempotent)."""
        if self._stopped:
            return
        self._stopped = True
        for connection in self.connections:
            connection.close()
            self.idle.put(None)
        self.process.join(_STOP_SECONDS)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


def _serve(factory: BackendFactory, connections: list[Connection]) -> None:
    """The child: load the backend, report on the first pipe, then answer every pipe."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # its parent decides when it ends
    # tqdm (the model's loading bar) would otherwise make a multiprocessing lock, a named
    # semaphore that the quick exit below would leave for the resource tracker to reclaim.
    from tqdm import tqdm  # type: ignore[import-untyped]

    tqdm.set_lock(threading.RLock())
    backend = factory()
    try:
        backend.load()
        reply: Reply = ("ready", backend.max_seq_length)
    except Exception as error:
        connections[0].send(("error", f"{type(error).__name__}: {error}"))
        return
    connections[0].send(reply)
    threads = [
        threading.Thread(target=_answer, args=(backend, connection), daemon=True)
        for connection in connections
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Every pipe is closed: nothing is left to do, and an interpreter's teardown with torch
    # loaded takes ~1.5 s, which `beacon ingest` would wait for on its way out.
    sys.stderr.flush()
    os._exit(0)


def _answer(backend: BatchingEmbedder, connection: Connection) -> None:
    """Encode what arrives on one pipe until the parent closes it."""
    while True:
        try:
            texts = connection.recv()
        except (EOFError, OSError):
            return
        try:
            reply: Reply = ("ok", backend.encode(texts))
        except Exception as error:  # the caller raises it
            reply = ("error", f"{type(error).__name__}: {error}")
        try:
            connection.send(reply)
        except OSError:
            return
