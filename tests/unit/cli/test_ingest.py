"""`beacon ingest` keeps several uploads in flight, accounts for every file, and is not held
to a person's upload limit."""

from pathlib import Path
from types import SimpleNamespace

from rich.console import Console

from cli.ingest import ingest_paths
from tests.unit.cli.documents import Documents


async def test_several_uploads_are_in_flight_and_every_file_is_counted(tmp_path: Path) -> None:
    files = []
    for number in range(20):
        path = tmp_path / (f"note-{number}.md" if number else "tool.exe")
        path.write_text(f"note {number}")
        files.append(path)
    documents = Documents()

    async def principal_for(email: str) -> object:
        return object()

    services = SimpleNamespace(
        documents=documents, identity=SimpleNamespace(principal_for=principal_for)
    )

    summary = await ingest_paths(
        services,  # type: ignore[arg-type]  # the two services ingest_paths uses
        "ops@example.com",
        files,
        private=False,
        wait=False,
        console=Console(quiet=True),
    )

    assert documents.most > 1
    assert documents.throttled == {False}, "an operator's folder is not one person's flood"
    assert summary.statuses == {"QUEUED": 19, "REJECTED": 1}
    assert summary.problems == [f"{files[0]}: UNSUPPORTED_TYPE: Executables are not documents."]
