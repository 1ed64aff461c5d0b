"""The lifecycle's SQL reaches each driver with its own placeholders."""

from domain.documents.lifecycle import _sql


def test_sqlite_gets_question_marks() -> None:
    assert _sql("UPDATE t SET a = {} WHERE id = {}", "sqlite") == "UPDATE t SET a = ? WHERE id = ?"


def test_postgres_gets_numbered_parameters_in_order() -> None:
    sql = _sql("UPDATE t SET a = {}, b = {} WHERE id = {}", "postgres")

    assert sql == "UPDATE t SET a = $1, b = $2 WHERE id = $3"
