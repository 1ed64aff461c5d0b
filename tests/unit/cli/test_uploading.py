"""The upload-then-wait helper of `beacon ingest`, `beacon eval` and the ingestion bench:
several uploads in flight, none held to a person's upload limit, every file and document
accounted for, and no endless wait on a stuck worker."""

from collections.abc import AsyncIterator, Callable
from types import SimpleNamespace

from cli.evaluate import Passage, ingest_passages
from cli.uploading import FileUpload, upload_and_wait
from domain.documents.models import DocumentStatus
from tests.unit.cli.documents import Documents


def text(data: str) -> Callable[[], AsyncIterator[bytes]]:
    async def read() -> AsyncIterator[bytes]:
        yield data.encode()

    return read


async def test_uploads_are_several_at_once_and_not_held_to_a_persons_limit() -> None:
    documents = Documents()
    files = [FileUpload(f"note-{n}.md", f"notes/note-{n}.md", text(f"note {n}")) for n in range(20)]

    uploads = await upload_and_wait(
        documents,  # type: ignore[arg-type]  # the two methods the helper calls
        object(),  # type: ignore[arg-type]
        files,
        poll_seconds=0,
    )

    assert documents.most > 1
    assert documents.throttled == {False}, "an operator's bulk upload is not one person's flood"
    assert len(uploads.final) == 20 and uploads.problems() == []


async def test_every_file_and_document_is_accounted_for() -> None:
    documents = Documents(
        {
            "slow.md": [DocumentStatus.PARSING, DocumentStatus.EMBEDDING, DocumentStatus.READY],
            "broken.pdf": [DocumentStatus.PARSING, DocumentStatus.FAILED],
        }
    )
    files = [
        FileUpload("slow.md", "in/slow.md", text("slow")),
        FileUpload("broken.pdf", "in/broken.pdf", text("broken")),
        FileUpload("again.md", "in/again.md", text("slow")),
        FileUpload("tool.exe", "in/tool.exe", text("MZ")),
    ]

    uploads = await upload_and_wait(
        documents,  # type: ignore[arg-type]
        object(),  # type: ignore[arg-type]
        files,
        poll_seconds=0,
        in_flight=1,
    )

    statuses = {document.filename: document.status for document in uploads.final.values()}
    assert statuses == {"slow.md": DocumentStatus.READY, "broken.pdf": DocumentStatus.FAILED}
    assert uploads.duplicates == 1
    assert [file.label for files in uploads.documents.values() for file in files] == [
        "in/slow.md",
        "in/again.md",
        "in/broken.pdf",
    ]
    assert uploads.problems() == [
        "in/tool.exe: UNSUPPORTED_TYPE: Executables are not documents.",
        "in/broken.pdf: CORRUPT_FILE: Unreadable.",
    ]


async def test_a_document_deleted_while_ingesting_ends_its_wait() -> None:
    documents = Documents({"gone.md": [DocumentStatus.PARSING]})
    polls: list[int] = []

    def on_poll(finished: object, pending: int) -> None:
        polls.append(pending)
        if len(polls) == 2:
            documents.rows.clear()

    uploads = await upload_and_wait(
        documents,  # type: ignore[arg-type]
        object(),  # type: ignore[arg-type]
        [FileUpload("gone.md", "gone.md", text("gone"))],
        poll_seconds=0,
        on_poll=on_poll,
    )

    assert polls == [1, 1, 0]
    assert uploads.problems() == ["gone.md: deleted while ingesting"]


async def test_a_stalled_worker_is_given_up_on_rather_than_waited_for_forever() -> None:
    documents = Documents({"stuck.md": [DocumentStatus.QUEUED]})

    uploads = await upload_and_wait(
        documents,  # type: ignore[arg-type]
        object(),  # type: ignore[arg-type]
        [FileUpload("stuck.md", "stuck.md", text("stuck"))],
        poll_seconds=0.01,
        stall_seconds=0.05,
    )

    assert len(uploads.unfinished) == 1 and uploads.final == {}
    assert uploads.problems() == ["1 documents still unfinished after a stall; skipped"]


async def test_eval_uploads_a_whole_dataset_unthrottled_and_keeps_identical_passages() -> None:
    documents = Documents()
    passages = [Passage("p1", "Same words."), Passage("p2", "Same words."), Passage("p3", "Other.")]
    services = SimpleNamespace(documents=documents)

    ready, problems = await ingest_passages(
        services,  # type: ignore[arg-type]  # the one service ingest_passages uses
        object(),  # type: ignore[arg-type]
        passages,
        echo=lambda line: None,
    )

    assert documents.throttled == {False}, "a dataset is not one person's flood"
    assert sorted(ready.values()) == [["p1", "p2"], ["p3"]]
    assert problems == []
