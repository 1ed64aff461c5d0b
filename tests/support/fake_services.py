"""Services on the fakes, for the service tier: the domain's own services, the real database
(SQLite or PostgreSQL, as the pass says), and every heavy or remote adapter a fake."""

from dataclasses import dataclass, field

from domain.bootstrap import Adapters, Services, build_services
from domain.settings import Settings
from tests.fakes.embedders import HashEmbedder
from tests.fakes.extractors import ParagraphExtractor
from tests.fakes.filestores import MemoryFileStore
from tests.fakes.generators import ScriptedGenerator
from tests.fakes.jobs import InlineJobs
from tests.fakes.vectorstores import MemoryVectorStore, MemoryVectorTables

# Not a model the catalogue can build: new organisations record it as their model, so every
# write and search goes to the fake vector store.
EMBEDDING_MODEL = "hash-embedder"
DIMENSIONS = 32


@dataclass
class Fakes:
    """The adapters a test's services run on, for the test to script and inspect. The test
    owns them: the services start them, and `close` stops them."""

    embedder: HashEmbedder = field(
        default_factory=lambda: HashEmbedder(EMBEDDING_MODEL, DIMENSIONS)
    )
    tables: MemoryVectorTables = field(default_factory=MemoryVectorTables)
    files: MemoryFileStore = field(default_factory=MemoryFileStore)
    extractor: ParagraphExtractor = field(default_factory=ParagraphExtractor)
    generator: ScriptedGenerator = field(default_factory=ScriptedGenerator)
    # Records what the services queue; `jobs.attach(services.ingestion)` runs it too.
    jobs: InlineJobs = field(default_factory=InlineJobs)
    vectors: MemoryVectorStore = field(init=False)  # the embedder's table

    def __post_init__(self) -> None:
        self.vectors = self.tables.open(self.embedder.name, self.embedder.dimensions)

    async def close(self) -> None:
        """Stop the jobs still running first (they use the others), then the rest."""
        await self.jobs.close()
        await self.extractor.close()
        await self.embedder.close()
        await self.vectors.close()
        await self.files.close()
        await self.generator.close()


def fake_services(settings: Settings, fakes: Fakes) -> Services:
    """Services wired to `fakes` (the one place the service tier builds services); connects
    nothing yet. Another model's vectors (after `beacon reembed`) would still open the
    settings' store: the service tier's organisations use the fake embedder's only."""
    return build_services(
        settings,
        Adapters(
            embedder=fakes.embedder,
            vectors=fakes.vectors,
            files=fakes.files,
            extractor=fakes.extractor,
            generator=fakes.generator,
            jobs=fakes.jobs,
        ),
    )
