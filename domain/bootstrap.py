"""The composition root: every process builds its services here, once."""

import asyncio
import gc
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

import httpx2
from tortoise.exceptions import OperationalError as DBOperationalError

from domain.assistant.generation.base import Generator
from domain.assistant.generation.extractive import ExtractiveGenerator
from domain.assistant.generation.fallback import FallbackGenerator
from domain.assistant.services import AssistantLimits, AssistantService
from domain.database import Database
from domain.documents.downloads import Downloads
from domain.documents.extraction import Extractor
from domain.documents.filestores.base import FileStore, Staging
from domain.documents.filestores.local import LocalFileStore
from domain.documents.ingestion import IngestionLimits, IngestionService
from domain.documents.jobs import Jobs
from domain.documents.parsing import DocumentParser
from domain.documents.reconcile import Reconciler
from domain.documents.services import DocumentService
from domain.documents.sniffing import ArchiveLimits
from domain.identity.oidc import OidcService
from domain.identity.oidc_client import OidcClient
from domain.identity.passwords import PasswordHasher
from domain.identity.services import IdentityService
from domain.identity.throttling import ActionThrottle, CostBudget, LoginThrottle
from domain.identity.tokens import TokenCodec
from domain.notifications import (
    DOCUMENTS,
    SESSIONS,
    InProcessNotifications,
    Notifications,
    RedisNotifications,
)
from domain.retrieval.building import (
    build_catalogue,
    build_embedder,
    build_vector_store,
    search_fusion,
)
from domain.retrieval.embedding import Embedder
from domain.retrieval.health import IndexHealthService
from domain.retrieval.reembed import Reembedder
from domain.retrieval.search import SearchService
from domain.retrieval.spaces import ModelSpaces
from domain.retrieval.vectorstores.base import VectorStore
from domain.settings import Settings

log = logging.getLogger("beacon.startup")


class StartupFailed(RuntimeError):
    """A store Beacon needs cannot be reached or used; the message names it and why."""


class NoJobs:
    """For processes that never enqueue (CLI tools): enqueueing is a wiring bug."""

    async def start(self) -> None:
        """Nothing to open."""

    async def close(self) -> None:
        """Nothing to release."""

    def ingest_document(self, document_id: uuid.UUID) -> None:
        """Refuse."""
        raise RuntimeError("this process has no job queue; build services with Adapters(jobs=...)")

    def purge_document(
        self, document_id: uuid.UUID, organization_id: uuid.UUID, storage_key: str
    ) -> None:
        """Refuse."""
        raise RuntimeError("this process has no job queue; build services with Adapters(jobs=...)")


@dataclass(frozen=True)
class Adapters:
    """Adapters a caller built and passes to `build_services` in place of the settings' own
    (the edges pass the queue they own, tests pass fakes). The caller owns them: the services
    start them with their own, but never close them."""

    files: FileStore | None = None
    jobs: Jobs | None = None
    events: Notifications | None = None
    embedder: Embedder | None = None
    vectors: VectorStore | None = None
    extractor: Extractor | None = None
    generator: Generator | None = None
    # How OIDC reaches providers (tests: an in-process provider); None: the network.
    oidc_transport: httpx2.AsyncBaseTransport | None = None


@dataclass(frozen=True)
class Services:
    """Everything the edges (API, workers, CLI) call into."""

    settings: Settings
    database: Database
    identity: IdentityService
    oidc: OidcService  # sign-in through an organisation's OpenID provider
    login_throttle: LoginThrottle
    action_throttle: ActionThrottle
    cost_budget: CostBudget
    files: FileStore
    vectors: VectorStore  # the configured embedding model's vectors
    spaces: ModelSpaces  # every model's vectors, and which one each organisation searches
    embedder: Embedder  # the configured model
    extractor: Extractor
    events: Notifications  # a document changed
    session_events: Notifications  # a user's sessions ended: close their websockets
    jobs: Jobs
    documents: DocumentService
    ingestion: IngestionService
    reconciler: Reconciler
    reembedder: Reembedder
    search: SearchService
    index_health: IndexHealthService
    generator: Generator
    assistant: AssistantService
    downloads: Downloads
    passed: Adapters  # the caller's adapters: the caller closes them

    async def start(self, *, process_wide: bool = True) -> None:
        """Open connections (see `Database.connect` for `process_wide`); a store that cannot
        be reached raises `StartupFailed` with one line naming it."""
        await self.database.connect(process_wide=process_wide)
        adapters: tuple[tuple[str, Callable[[], Awaitable[None]]], ...] = (
            ("vector store", self.vectors.start),
            ("file store", self.files.start),
            ("document events", self.events.start),
            ("session events", self.session_events.start),
            ("job queue", self.jobs.start),
            ("generator", self.generator.start),
        )
        for name, start in adapters:
            try:
                await start()
            except Exception as error:
                raise StartupFailed(f"{name}: {error}") from error
        # Vectors of another model than the configured one are served while their model can
        # be built (searches embed queries with it); only those that cannot be stop start-up.
        try:
            with self.database.activate():
                notes = await self.spaces.check()
        except DBOperationalError as error:
            # Migrations pending (readiness says which) or the database down: nothing to
            # check against yet; searches and writes will fail on their own until it is fixed.
            notes = [f"could not be checked: {error}"]
        except Exception as error:
            raise StartupFailed(f"vector store: {error}") from error
        for note in notes:
            log.warning("embedding models: %s", note)

    async def warm_up(self) -> None:
        """Load the embedding model and start the parser processes before the first job,
        side by side (each loads in a process of its own)."""
        await asyncio.gather(self.embedder.start(), self.extractor.start())
        # What is alive now (modules, the model, the wiring built at start-up) lives as long
        # as the process; the cyclic GC would walk it again in every full collection, holding
        # the GIL (measured in a bench.ingest round: 0.29 s of GC, 0.01-0.04 s frozen).
        gc.freeze()

    async def close(self) -> None:
        """Close every connection the services opened, and the adapters they built."""
        await self.login_throttle.close()
        await self.action_throttle.close()
        await self.cost_budget.close()
        passed = self.passed
        # Each adapter's close, beside the caller's adapter in its place (None: built here).
        owned: list[tuple[object | None, Callable[[], Awaitable[None]]]] = [
            (passed.events, self.events.close),
            (None, self.session_events.close),
            (None, self.spaces.close),
            (passed.vectors, self.vectors.close),
            (passed.files, self.files.close),
            (passed.extractor, self.extractor.close),
            (passed.embedder, self.embedder.close),
        ]
        # Other models' embedders (their models loaded only if an organisation's vectors
        # needed them).
        others = self.spaces.catalogue.embedders()
        owned += [(None, other.close) for other in others if other is not self.embedder]
        owned += [(passed.generator, self.generator.close), (passed.jobs, self.jobs.close)]
        for theirs, close in owned:
            if theirs is None:
                await close()
        await self.database.close()


def build_notifications(settings: Settings, topic: str) -> Notifications:
    """Through Redis when configured (every process hears), else within this process."""
    if settings.redis_url:
        return RedisNotifications(settings.redis_url, topic)
    return InProcessNotifications()


def build_file_store(settings: Settings) -> FileStore:
    """A directory under the data directory, or an S3-compatible bucket in production."""
    if settings.file_store == "s3":
        from domain.documents.filestores.s3 import S3FileStore

        if not settings.s3_bucket:
            raise ValueError("BEACON_S3_BUCKET is required with BEACON_FILE_STORE=s3")
        secret = settings.s3_secret_access_key
        return S3FileStore(
            settings.s3_bucket,
            endpoint=settings.s3_endpoint,
            region=settings.s3_region,
            access_key_id=settings.s3_access_key_id,
            secret_access_key=secret.get_secret_value() if secret else None,
            download_dir=settings.uploads_dir / "downloads",
            prefix=settings.s3_prefix,
        )
    return LocalFileStore(settings.uploads_dir / "files")


def build_generator(settings: Settings) -> Generator:
    """An OpenAI-compatible model when one is configured (the extractive one answering when
    it fails before its first word, unless BEACON_LLM_FALLBACK is off), else the offline
    extractive one."""
    if not settings.llm_base_url:
        return ExtractiveGenerator()
    from domain.assistant.generation.openai_compatible import OpenAICompatibleGenerator

    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    model = OpenAICompatibleGenerator(
        settings.llm_base_url,
        key,
        settings.llm_model,
        timeout_seconds=settings.llm_timeout_seconds,
        max_tokens=settings.llm_max_tokens,
    )
    if not settings.llm_fallback:
        return model
    return FallbackGenerator(model, ExtractiveGenerator())


def build_services(
    settings: Settings, adapters: Adapters | None = None, *, worker: bool = False
) -> Services:
    """Wire adapters into services for one process; connects nothing yet.

    `adapters`: those the caller built and owns (see `Adapters`); the settings choose the
    rest. `worker`: the services a queue worker runs actors on, whose SQL writes can all be
    derived again (see `Database`).
    """
    passed = adapters or Adapters()
    tokens = TokenCodec(
        secret=settings.secret,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        access_ttl=timedelta(seconds=settings.access_token_ttl_seconds),
    )
    throttle = LoginThrottle(
        settings.login_rate_per_account,
        settings.login_rate_per_address,
        settings.redis_url,
        signups_per_address=settings.signup_rate_per_address,
        password_changes_per_account=settings.password_change_rate_per_account,
    )
    session_events = build_notifications(settings, SESSIONS)
    action_throttle = ActionThrottle(
        settings.ask_rate_per_user, settings.upload_rate_per_user, settings.redis_url
    )
    identity = IdentityService(
        hasher=PasswordHasher(settings.bcrypt_rounds),
        tokens=tokens,
        throttle=throttle,
        refresh_ttl=timedelta(seconds=settings.refresh_token_ttl_seconds),
        signup_enabled=settings.signup_enabled,
        session_events=session_events,
    )
    files: FileStore = passed.files or build_file_store(settings)
    jobs: Jobs = passed.jobs or NoJobs()
    events: Notifications = passed.events or build_notifications(settings, DOCUMENTS)
    embedder: Embedder = passed.embedder or build_embedder(settings)
    vectors: VectorStore = passed.vectors or build_vector_store(
        settings, embedder.name, embedder.dimensions
    )
    spaces = ModelSpaces(
        build_catalogue(settings, embedder),
        lambda model, dimensions: build_vector_store(settings, model, dimensions),
        vectors,
    )
    extractor: Extractor = passed.extractor or DocumentParser(
        max_pages=settings.max_pages,
        timeout_seconds=settings.parse_timeout_seconds,
        artifacts_path=settings.docling_artifacts_path,
        processes=settings.parser_processes,
        memory_mb=settings.parser_memory_mb or None,
        ocr=settings.ocr == "auto",
    )
    documents = DocumentService(
        Staging(settings.uploads_dir / "staging"),
        files,
        jobs,
        events,
        max_upload_bytes=settings.max_upload_bytes,
        archive_limits=ArchiveLimits(),
        throttle=action_throttle,
    )
    ingestion = IngestionService(
        files,
        extractor,
        embedder,
        spaces,
        events,
        IngestionLimits(
            max_attempts=settings.ingest_max_attempts,
            lease=timedelta(seconds=settings.ingest_lease_seconds),
            embedding_batch=settings.embedding_batch_size,
            max_chunks=settings.max_chunks,
        ),
    )
    search = SearchService(
        spaces,
        search_fusion(settings),
    )
    generator: Generator = passed.generator or build_generator(settings)
    assistant = AssistantService(
        search,
        generator,
        AssistantLimits(
            sources=settings.answer_sources,
            max_messages_per_conversation=settings.max_messages_per_conversation,
            daily_tokens_per_user=settings.daily_tokens_per_user,
            daily_tokens_per_organization=settings.daily_tokens_per_organization,
        ),
        action_throttle,
    )
    return Services(
        settings=settings,
        database=Database(settings.effective_database_url, rederivable=worker),
        identity=identity,
        oidc=OidcService(identity, settings.secret, OidcClient(passed.oidc_transport)),
        login_throttle=throttle,
        action_throttle=action_throttle,
        cost_budget=CostBudget(
            settings.query_cost_per_caller,
            settings.query_cost_per_organization,
            settings.redis_url,
        ),
        files=files,
        vectors=vectors,
        spaces=spaces,
        embedder=embedder,
        extractor=extractor,
        events=events,
        session_events=session_events,
        jobs=jobs,
        documents=documents,
        ingestion=ingestion,
        reconciler=Reconciler(spaces, files, jobs),
        reembedder=Reembedder(spaces),
        downloads=Downloads(settings.secret, settings.download_url_ttl_seconds, files),
        search=search,
        index_health=IndexHealthService(spaces, settings.vector_store),
        generator=generator,
        assistant=assistant,
        passed=passed,
    )
