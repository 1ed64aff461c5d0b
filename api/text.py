"""Refuse text that no store can keep: NUL characters and unpaired UTF-16 surrogates.

PostgreSQL's text types cannot hold NUL, and a lone surrogate (JSON allows `"\\ud800"`) has no
UTF-8 form, so SQLite, PostgreSQL, the tokenizer and the vector stores all fail on it deep in a
resolver. Refusing both at the edge, before execution, gives every field one clear error on
every database instead of "Unexpected error." on some.
"""

import re
from collections.abc import AsyncIterator, Mapping
from typing import Any

from graphql import DocumentNode, StringValueNode, Visitor, visit
from strawberry.extensions import SchemaExtension

from api.errors import BadUserInput

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# A literal can only hold such a character raw or through a \u escape (the lexer decodes it).
_MAYBE_IN_LITERAL = re.compile(r"[\x00\ud800-\udfff]|\\u")
MESSAGE = "Text may not contain NUL characters or unpaired UTF-16 surrogates."


def is_unstorable(value: object) -> bool:
    """Whether a decoded JSON value holds such a character in any string, at any depth."""
    pending = [value]
    while pending:  # a stack: variables may nest as deep as the JSON parser allowed
        item = pending.pop()
        if isinstance(item, str):
            if _UNSTORABLE.search(item):
                return True
        elif isinstance(item, Mapping):
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)
    return False


class _FindUnstorable(Visitor):
    found = False

    def enter_string_value(self, node: StringValueNode, *_: Any) -> Any:
        if _UNSTORABLE.search(node.value):
            self.found = True
            return self.BREAK
        return None


def literal_is_unstorable(query: str, document: DocumentNode) -> bool:
    """Whether a string literal of the document holds such a character."""
    if not _MAYBE_IN_LITERAL.search(query):  # the common case costs one scan of the text
        return False
    finder = _FindUnstorable()
    visit(document, finder)
    return finder.found


class RefuseUnstorableText(SchemaExtension):
    """Refuses the operation before execution when its variables or literals hold such text."""

    async def on_execute(self) -> AsyncIterator[None]:
        """Check, then let the operation run."""
        execution = self.execution_context
        document = execution.graphql_document
        if is_unstorable(execution.variables) or (
            document is not None and literal_is_unstorable(execution.query or "", document)
        ):
            raise BadUserInput(MESSAGE)
        yield
