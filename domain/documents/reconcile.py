"""Find and repair drift between SQL, the vector store and the file store."""

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from domain.documents.filestores.base import FileStore
from domain.documents.jobs import Jobs
from domain.documents.models import Document, DocumentStatus
from domain.documents.services import start_new_version, storage_key
from domain.identity.models import Organization
from domain.retrieval.spaces import ModelSpaces

# Far longer than an upload takes between storing its file and inserting its row.
UPLOAD_GRACE = timedelta(minutes=15)


@dataclass
class DriftReport:
    """What does not agree; with `fix`, what was done about it."""

    orphan_vectors: list[tuple[uuid.UUID, uuid.UUID]] = field(default_factory=list)
    stale_versions: list[tuple[uuid.UUID, uuid.UUID]] = field(default_factory=list)
    missing_vectors: list[uuid.UUID] = field(default_factory=list)
    orphan_files: list[str] = field(default_factory=list)
    missing_files: list[uuid.UUID] = field(default_factory=list)
    fixed: bool = False

    @property
    def clean(self) -> bool:
        """Nothing drifted."""
        return not (
            self.orphan_vectors
            or self.stale_versions
            or self.missing_vectors
            or self.orphan_files
            or self.missing_files
        )


class Reconciler:
    """Compares, per organisation, what SQL says with what the stores hold."""

    def __init__(self, spaces: ModelSpaces, files: FileStore, jobs: Jobs) -> None:
        self._spaces = spaces
        self._files = files
        self._jobs = jobs

    async def run(self, fix: bool = False) -> DriftReport:
        """Report drift; with `fix`, delete orphans and re-ingest what lost its vectors."""
        report = DriftReport(fixed=fix)
        documents = await Document.all().values(
            "id", "organization_id", "version", "status", "chunk_count"
        )
        by_org: dict[uuid.UUID, dict[uuid.UUID, dict[str, object]]] = defaultdict(dict)
        for row in documents:
            by_org[row["organization_id"]][row["id"]] = row
        org_ids: list[uuid.UUID] = await Organization.all().values_list("id", flat=True)  # type: ignore[assignment]
        for org_id in org_ids:
            await self._organization(org_id, by_org.get(org_id) or {}, report)
        await self._check_files({row["id"] for row in documents}, report)
        return report

    async def _organization(
        self,
        org_id: uuid.UUID,
        documents: dict[uuid.UUID, dict[str, object]],
        report: DriftReport,
    ) -> None:
        # The vectors search reads (a re-embedding settles its target itself before switching).
        vectors = await self._spaces.store((await self._spaces.models(org_id)).active)
        stored = await vectors.document_ids(org_id)
        for document_id, versions in stored.items():
            row = documents.get(document_id)
            if row is None:
                report.orphan_vectors.append((org_id, document_id))
                if report.fixed:
                    await self._spaces.delete_document(org_id, document_id)
            elif versions - {row["version"]} and row["status"] == DocumentStatus.READY:
                report.stale_versions.append((org_id, document_id))
                if report.fixed:
                    await self._spaces.delete_document(
                        org_id, document_id, keep_version=int(str(row["version"]))
                    )
        for document_id, row in documents.items():
            if row["status"] != DocumentStatus.READY:
                continue
            count = await vectors.count(org_id, document_id)
            if count != row["chunk_count"]:
                report.missing_vectors.append(document_id)
                if report.fixed:
                    await start_new_version(document_id)
                    self._jobs.ingest_document(document_id)

    async def _check_files(self, document_ids: set[uuid.UUID], report: DriftReport) -> None:
        keys = await self._files.keys()
        wanted = {storage_key(document_id): document_id for document_id in document_ids}
        # An upload stores its file a moment before it inserts the row: a young file without
        # a row may be one of those, so only files older than the grace are orphans.
        settled = await self._files.keys(older_than=UPLOAD_GRACE)
        for key in sorted(settled - wanted.keys()):
            report.orphan_files.append(key)
            if report.fixed:
                await self._files.delete(key)
        report.missing_files = sorted(wanted[key] for key in wanted.keys() - keys)
