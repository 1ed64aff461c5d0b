"""One settings class for every process, read from `BEACON_*` environment variables, and from a
`.env` file in the working directory when there is one (the environment wins)."""

import ipaddress
import os
import secrets
from pathlib import Path
from typing import Literal

from limits import parse as parse_rate
from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from domain.dialects import dialect_of

# Values people paste from examples; a production deployment must never run with one.
_PLACEHOLDER_SECRETS = ("change", "secret", "example", "placeholder", "default", "xxxx", "todo")
_SECRET_FILE = "secret_key"  # noqa: S105 - a file name, not a secret


class Settings(BaseSettings):
    """Beacon's configuration. Development is the embedded default; production is docker-compose."""

    model_config = SettingsConfigDict(env_prefix="BEACON_", extra="ignore")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Arguments, the environment, then BEACON_ENV_FILE (default `.env`; empty: none), read
        at each build: the tests empty it, so a developer's `.env` never reaches them."""
        env_file = os.environ.get("BEACON_ENV_FILE", ".env") or None
        dotenv = DotEnvSettingsSource(settings_cls, env_file=env_file)
        return init_settings, env_settings, dotenv, file_secret_settings

    env: Literal["development", "production"] = "development"
    log_format: Literal["json", "console"] | None = Field(
        default=None, description="Unset: json in production, console in development."
    )
    data_dir: Path = Path("beacon-data")
    database_url: str | None = Field(
        default=None, description="Tortoise URL; unset means a SQLite file in the data directory."
    )
    redis_url: str | None = Field(
        default=None, description="Redis for the queue and shared limits; unset means embedded."
    )
    secret_key: SecretStr | None = None

    jwt_issuer: str = "beacon"
    jwt_audience: str = "beacon-api"
    access_token_ttl_seconds: int = Field(default=15 * 60, ge=30, le=24 * 3600)
    refresh_token_ttl_seconds: int = Field(default=30 * 24 * 3600, ge=300)
    bcrypt_rounds: int = Field(default=12, ge=4, le=16)

    signup_enabled: bool = True
    login_rate_per_account: str = "10/5minutes"
    login_rate_per_address: str = "30/5minutes"
    signup_rate_per_address: str = "10/hour"
    ask_rate_per_user: str = "30/minute"
    upload_rate_per_user: str = "120/minute"
    password_change_rate_per_account: str = "5/15minutes"  # noqa: S105 - a rate, not a secret

    graphiql: bool | None = Field(default=None, description="Unset: on in development only.")
    introspection: bool | None = Field(default=None, description="Unset: on in development only.")
    max_query_depth: int = Field(default=12, ge=3, le=50)
    max_aliases: int = Field(default=15, ge=1, le=200)
    max_query_tokens: int = Field(default=2000, ge=100, le=100_000)
    max_query_cost: int = Field(
        default=5000,
        ge=10,
        le=10_000_000,
        description="Estimated objects one operation may return (first x nested lists).",
    )
    max_fragment_spreads: int = Field(
        default=100,
        ge=1,
        le=1000,
        description="Fragment spreads one operation may expand, each time one is reached.",
    )
    query_cost_per_caller: str = "100000/minute"
    query_cost_per_organization: str = "1000000/minute"
    max_request_bytes: int = Field(default=1024 * 1024, ge=1024, description="JSON bodies.")
    max_upload_bytes: int = Field(default=100 * 1024 * 1024, ge=1024, description="Multipart.")
    # Starlette's form parser refuses more than 1000 files itself.
    max_upload_files: int = Field(
        default=100, ge=1, le=1000, description="Files per uploadDocuments request."
    )
    request_timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    forwarded_allow_ips: str | None = Field(
        default=None,
        description="Trusted reverse proxies (addresses or networks, comma-separated, or *): "
        "only their X-Forwarded-For is believed; unset: none, clients are their TCP peers.",
    )
    audit_retention_days: int = Field(
        default=365, ge=1, description="`beacon audit prune` deletes audit events older."
    )
    public_url: str | None = Field(
        default=None,
        pattern=r"^https?://[^/?#\s]+(/[^?#\s]*)?$",
        description="Where clients reach the API (e.g. https://beacon.example.com); makes "
        "download links absolute. Unset: links are relative to the API's origin.",
    )
    web_dist: Path = Field(
        default=Path(__file__).resolve().parent.parent / "web" / "dist",
        description="The built web app served at / (and GraphiQL at GET /graphql); default: "
        "web/dist of this source tree.",
    )
    download_url_ttl_seconds: int = Field(
        default=300, ge=10, le=24 * 3600, description="How long a signed download link works."
    )
    websocket_init_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    max_subscriptions_per_connection: int = Field(default=20, ge=1, le=1000)
    max_websockets_per_user: int = Field(default=10, ge=1, le=1000, description="Per process.")
    websocket_recheck_seconds: float = Field(
        default=60.0,
        gt=0,
        le=3600,
        description="How often an open websocket re-reads its user, in case the notification "
        "that their sessions ended was lost (Redis down); operations re-check every time.",
    )

    vector_store: Literal["lance", "weaviate"] = "lance"
    weaviate_url: str | None = None
    weaviate_api_key: SecretStr | None = None
    weaviate_grpc_host: str | None = Field(
        default=None,
        description="gRPC host; unset: the REST URL's host (managed Weaviate, proxies).",
    )
    weaviate_grpc_port: int = Field(default=50051, ge=1, le=65535)
    weaviate_collection: str = Field(
        default="BeaconChunk",
        pattern=r"^[A-Z][A-Za-z0-9_]{0,254}$",
        description="The multi-tenant collection (a GraphQL class name: capital first).",
    )
    weaviate_grpc_secure: bool | None = Field(
        default=None, description="TLS for gRPC; unset: the REST URL's scheme decides."
    )
    file_store: Literal["local", "s3"] = Field(
        default="local", description="Uploaded files: a local directory or S3-compatible storage."
    )
    s3_endpoint: str | None = Field(
        default=None, description="S3-compatible endpoint URL; unset: AWS S3 in `s3_region`."
    )
    s3_region: str = "us-east-1"
    s3_bucket: str | None = None
    s3_prefix: str = Field(
        default="files/",
        pattern=r"^([A-Za-z0-9._-]+/)*$",
        description="Key prefix inside the bucket (several deployments may share one bucket).",
    )
    s3_access_key_id: str | None = None
    s3_secret_access_key: SecretStr | None = None
    vector_store_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    exact_search_max_rows: int = Field(
        default=250_000,
        ge=0,
        description="LanceDB: dense search on an in-memory copy up to this many chunks (0: off).",
    )
    docling_artifacts_path: Path | None = Field(
        default=None, description="Downloaded docling models: enables the layout PDF pipeline."
    )
    max_pages: int = Field(default=500, ge=1, le=20_000)
    max_chunks: int = Field(
        default=20_000, ge=1, le=1_000_000, description="Passages per document; over: TOO_LARGE."
    )
    ocr: Literal["auto", "off"] = Field(
        default="auto",
        description="auto: PDF pages without a text layer are read with OCR (RapidOCR, models "
        "from its wheel); off: such pages are skipped, and a PDF of scans only is EMPTY_FILE.",
    )
    parse_timeout_seconds: float = Field(default=300.0, gt=0, le=3600)
    parser_processes: int = Field(default=1, ge=1, le=32)
    parser_memory_mb: int = Field(
        default=4096,
        ge=0,
        description="Memory a parser process may map beyond its loaded libraries; over: "
        "TOO_LARGE (0: no limit).",
    )
    # int8 ONNX is the default: on 2 cores with AVX-512 VNNI it encoded 4.6x as fast as torch
    # fp32 with nDCG@10 +0.004 on the dev set (bench/embed.py); on a CPU without VNNI, 2.3x.
    # An organisation whose vectors another model made keeps searching them until
    # `beacon reembed` (domain/retrieval/spaces.py).
    embedder: Literal["torch", "onnx", "onnx-fp32"] = Field(
        default="onnx",
        description="How MiniLM runs: onnx (ONNX Runtime, int8: 2-5x as fast as torch, its "
        "vectors named apart from torch's), torch (sentence-transformers, fp32) or onnx-fp32 "
        "(ONNX Runtime, torch's vectors, ~1.3x as fast as torch).",
    )
    embedder_cache_dir: Path | None = Field(
        default=None,
        description="Where `beacon export-embedder` writes the ONNX model; unset: "
        "<sys.prefix>/share/beacon/embedders, beside the installed packages it is made from.",
    )
    embedding_batch_size: int = Field(default=64, ge=1, le=1024)
    # Documents in flight per worker process. A small document spends most of its time
    # waiting on SQL, LanceDB commits and the parser, so the embedder's batches stay full only
    # with many in flight (bench.ingest on 2 cores, the model in-process: 8 threads 0.40 of
    # the bare embedder's throughput, 16 0.65, 32 0.73, 64 0.74). With the model in its own
    # process, 64 makes four batches of 16: while two are encoded, one per model thread, two
    # more parse and write. At 32, two batches, a model thread idled whenever its batch was
    # parsing or writing: `beacon ingest` of 3000 passages took 3-7 s longer in each of 4
    # paired runs (62.8/59.5, 67.0/62.4, 72.5/67.2, 73.8/66.4 s); 128 was no faster (71.4 s
    # beside 62.2 s at 64).
    worker_threads: int = Field(
        default=64, ge=1, le=256, description="Documents in flight per worker process."
    )
    # Documents that move through ingestion together, among those in flight: one lease
    # statement, one chunk insert, one embedding call and one vector-store write for them all
    # (1: one document at a time).
    ingest_batch_size: int = Field(
        default=16, ge=1, le=64, description="Documents ingested together by a worker."
    )
    ingest_max_attempts: int = Field(default=3, ge=1, le=20, description="Crashes included.")
    ingest_lease_seconds: float = Field(
        default=120.0, ge=1, description="A document whose worker is silent this long is retried."
    )
    sweep_interval_seconds: float = Field(default=30.0, ge=0.5)
    worker_metrics_port: int = Field(
        default=0,
        ge=0,
        le=65535,
        description="Port on which `beacon worker` serves its Prometheus metrics (0: none); "
        "several workers on one host each need their own.",
    )
    llm_base_url: str | None = Field(
        default=None, description="Any OpenAI-compatible endpoint; unset: extractive answers."
    )
    llm_api_key: SecretStr | None = None
    llm_model: str = "gpt-4o-mini"
    llm_timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    llm_max_tokens: int = Field(default=512, ge=16, le=8192)
    otlp_endpoint: str | None = Field(
        default=None,
        description="OpenTelemetry collector (OTLP over HTTP, e.g. http://collector:4318): "
        "`beacon serve` and `beacon worker` export their traces there; unset: no export.",
    )
    llm_fallback: bool = Field(
        default=True,
        description="When the model fails or times out before its first word, the offline "
        "extractive generator answers instead (the answer records it).",
    )
    answer_sources: int = Field(default=5, ge=1, le=20, description="Chunks given per answer.")
    max_messages_per_conversation: int = Field(
        default=100,
        ge=2,
        le=1000,
        description="Questions and answers; a full conversation refuses more questions.",
    )
    daily_tokens_per_user: int = Field(default=200_000, ge=0)
    daily_tokens_per_organization: int = Field(default=2_000_000, ge=0)
    # Hybrid fusion (domain/retrieval/fusion.py): standard scores by default; "rrf" is the
    # earlier reciprocal-rank fusion, which fell below dense alone on a set it was not tuned on.
    search_fusion: Literal["zscore", "rrf"] = "zscore"
    search_rrf_k: int = Field(default=60, ge=1, le=1000)
    search_candidates: int = Field(default=50, ge=1, le=500)
    search_dense_weight: float = Field(default=1.0, ge=0)
    # Unset: the method's default (zscore 0.3, chosen on held-out folds of the MS MARCO dev
    # set; rrf 0.5, tuned on the whole dev set). Weights of one method mean nothing to the other.
    search_text_weight: float | None = Field(default=None, ge=0)
    retry_backoff_seconds: float = Field(default=5.0, ge=0.1, le=600, description="First retry.")

    @field_validator(
        "login_rate_per_account",
        "login_rate_per_address",
        "signup_rate_per_address",
        "ask_rate_per_user",
        "upload_rate_per_user",
        "password_change_rate_per_account",
        "query_cost_per_caller",
        "query_cost_per_organization",
    )
    @classmethod
    def _is_rate(cls, value: str) -> str:
        try:
            parse_rate(value)
        except ValueError as error:
            raise ValueError(f"not a rate such as '10/5minutes': {value!r}") from error
        return value

    @field_validator("database_url")
    @classmethod
    def _is_database_url(cls, value: str | None) -> str | None:
        if value is not None:
            dialect_of(value)  # a ValueError naming the scheme
        return value

    @field_validator("forwarded_allow_ips")
    @classmethod
    def _are_proxies(cls, value: str | None) -> str | None:
        # uvicorn would silently take a mistyped address as a literal that never matches.
        if value is None or not value.strip():
            return None
        entries = [entry.strip() for entry in value.split(",") if entry.strip()]
        if entries == ["*"]:
            return "*"
        for entry in entries:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(f"not an IP address or network: {entry!r}") from None
        return ",".join(entries)

    @model_validator(mode="after")
    def _stores_are_configured(self) -> "Settings":
        if self.vector_store == "weaviate" and not self.weaviate_url:
            raise ValueError("BEACON_WEAVIATE_URL is required with BEACON_VECTOR_STORE=weaviate")
        if self.file_store == "s3" and not self.s3_bucket:
            raise ValueError("BEACON_S3_BUCKET is required with BEACON_FILE_STORE=s3")
        return self

    @model_validator(mode="after")
    def _production_is_strict(self) -> "Settings":
        if self.env != "production":
            return self
        if self.secret_key is None:
            raise ValueError("BEACON_SECRET_KEY is required in production")
        key = self.secret_key.get_secret_value()
        if len(key.encode()) < 32:
            raise ValueError("BEACON_SECRET_KEY must be at least 32 bytes in production")
        if any(word in key.lower() for word in _PLACEHOLDER_SECRETS) or len(set(key)) < 8:
            raise ValueError("BEACON_SECRET_KEY looks like a placeholder; generate a random one")
        if self.database_url is None or dialect_of(self.database_url) != "postgres":
            raise ValueError("BEACON_DATABASE_URL must point at PostgreSQL in production")
        if self.bcrypt_rounds < 12:
            raise ValueError("BEACON_BCRYPT_ROUNDS must be at least 12 in production")
        return self

    @property
    def is_production(self) -> bool:
        """Whether the strict production rules apply."""
        return self.env == "production"

    @property
    def effective_log_format(self) -> Literal["json", "console"]:
        """One JSON object per line in production (for collectors), readable lines otherwise."""
        if self.log_format is not None:
            return self.log_format
        return "json" if self.is_production else "console"

    @property
    def effective_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file under the data directory."""
        return self.database_url or f"sqlite://{self.data_dir / 'beacon.sqlite3'}"

    @property
    def uploads_dir(self) -> Path:
        """Where uploaded files live, under generated names."""
        return self.data_dir / "uploads"

    @property
    def graphiql_enabled(self) -> bool:
        """GraphiQL is served in development unless switched off."""
        return (not self.is_production) if self.graphiql is None else self.graphiql

    @property
    def introspection_enabled(self) -> bool:
        """Introspection (and field suggestions) follow the same rule as GraphiQL."""
        return (not self.is_production) if self.introspection is None else self.introspection

    @property
    def secret(self) -> str:
        """The signing key; `load_settings` guarantees one is present."""
        if self.secret_key is None:
            raise RuntimeError("secret key missing: build settings with load_settings()")
        return self.secret_key.get_secret_value()


class SettingsError(Exception):
    """Settings that cannot start Beacon; the message is one line naming the variable."""


def load_settings(**overrides: object) -> Settings:
    """Read the environment; in development, keep a generated secret key in the data directory."""
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        raise SettingsError(_one_line(error)) from None
    if settings.secret_key is None:
        settings.secret_key = SecretStr(_stored_secret(settings.data_dir))
    return settings


def _stored_secret(data_dir: Path) -> str:
    path = data_dir / _SECRET_FILE
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.touch(mode=0o600)
    path.write_text(key)
    return key


def _one_line(error: ValidationError) -> str:
    first = error.errors()[0]
    location = [str(part) for part in first.get("loc", ())]
    message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
    if not location:
        return message
    variable = "BEACON_" + location[0].upper()
    return f"{variable}: {message}"
