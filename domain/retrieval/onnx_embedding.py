"""all-MiniLM-L6-v2 through ONNX Runtime: the exported model (onnx_export) and the model's own
`tokenizers` tokenizer, behind the same port and batcher as the torch adapter."""

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from domain.retrieval.embedding import BatchingEmbedder, quiet_native_threads
from domain.retrieval.onnx_export import (
    EmbedderExportError,
    ModelConfig,
    Precision,
    default_cache_dir,
    ensure_exported,
    packaged_model_path,
    read_config,
)

if TYPE_CHECKING:
    from tokenizers import Tokenizer

Encoder = Callable[[Sequence[str]], list[list[float]]]


class OnnxEmbedder(BatchingEmbedder):
    """The packaged MiniLM exported to ONNX, int8 (dynamically quantised) by default.

    int8 vectors differ slightly from torch's (cosine ~0.99), so they carry their own name
    and are never mixed with torch's; fp32 ONNX computes torch's vectors and shares its name.
    The model is exported on first load if `scripts/setup` (or the image build) did not.
    `intra_op_threads` onnxruntime threads run each call; the default, one per model thread
    with a model thread per core, is the batcher's design (bench/embed.py compares).
    """

    # onnxruntime's fixed cost per call is ~1.4 ms, as much as ~30 characters of encoding
    # (measured on int8): padding costs more than calls, so texts are grouped by length more
    # finely than for torch (int8 on 160 passages: 2.6 s of CPU instead of 3.5 s at 600).
    call_cost_characters = 30

    def __init__(
        self,
        precision: Precision = "int8",
        *,
        cache_dir: Path | None = None,
        batch_size: int = 64,
        threads: int | None = None,
        intra_op_threads: int = 1,
    ) -> None:
        super().__init__(batch_size, threads)
        self.precision = precision
        self.name = "all-MiniLM-L6-v2" + ("-onnx-int8" if precision == "int8" else "")
        self._cache_dir = cache_dir or default_cache_dir()
        self._intra_op_threads = intra_op_threads
        self._encoder: Encoder | None = None
        self._config: ModelConfig | None = None

    def load(self) -> Encoder:
        """The session and tokenizer, exporting the model first if it is missing; raises
        `EmbedderExportError` with a clear message when it can be neither read nor exported."""
        with self._lock:
            if self._encoder is None:
                quiet_native_threads()
                model_path = packaged_model_path()
                config = read_config(model_path)
                files = ensure_exported(self._cache_dir, model_path).files
                self._encoder = load_encoder(
                    files.path(self.precision), model_path, config, self._intra_op_threads
                )
                self._config = config
            return self._encoder

    @property
    def max_seq_length(self) -> int:
        """Tokens the model reads per text; the tokenizer truncates the rest."""
        self.load()
        assert self._config is not None
        return self._config.max_seq_length

    def encode_call(self, texts: Sequence[str]) -> list[list[float]]:
        """One session run on the texts, padded to the longest."""
        return self.load()(texts)


def load_encoder(
    path: Path, model_path: Path, config: ModelConfig, intra_op_threads: int
) -> Encoder:
    """One model call's encoding with onnxruntime and the model's own tokenizer, or a clear
    error when the file cannot be read."""
    import numpy as np
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = intra_op_threads
    options.inter_op_num_threads = 1
    # Like OMP_WAIT_POLICY=PASSIVE for torch: idle pool threads must not spin on the cores
    # the parser, the vector store and the event loop need between calls.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    try:
        session = onnxruntime.InferenceSession(
            str(path), options, providers=["CPUExecutionProvider"]
        )
    except Exception as error:  # onnxruntime raises its own untyped errors for bad files
        raise EmbedderExportError(
            f"the ONNX embedding model {path} cannot be read ({str(error).strip()[:200]}); "
            "delete it and run `beacon export-embedder`"
        ) from error
    text_tokenizer = tokenizer(model_path, config)

    def encode(texts: Sequence[str]) -> list[list[float]]:
        encodings = text_tokenizer.encode_batch(list(texts))
        feeds = {
            name: np.array([getattr(e, field) for e in encodings], dtype=np.int64)
            for name, field in (
                ("input_ids", "ids"),
                ("attention_mask", "attention_mask"),
                ("token_type_ids", "type_ids"),
            )
        }
        (vectors,) = session.run(["embedding"], feeds)
        rows: list[list[float]] = vectors.tolist()
        return rows

    return encode


def tokenizer(model_path: Path, config: ModelConfig) -> "Tokenizer":
    """The model's tokenizer, truncating and padding as sentence-transformers does."""
    from tokenizers import Tokenizer

    text_tokenizer = Tokenizer.from_file(str(model_path / "tokenizer.json"))
    # tokenizer.json pads and truncates to a fixed 128; sentence-transformers reads
    # max_seq_length tokens and pads each call to its longest text.
    text_tokenizer.enable_truncation(max_length=config.max_seq_length)
    pad = text_tokenizer.token_to_id("[PAD]")
    text_tokenizer.enable_padding(pad_id=0 if pad is None else pad, pad_token="[PAD]")  # noqa: S106 (a token, not a password)
    return text_tokenizer
