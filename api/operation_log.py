"""One log line per GraphQL operation, and its name on every line logged while it runs."""

import time
from collections.abc import Iterator

import structlog
from strawberry.extensions import SchemaExtension

log = structlog.get_logger("beacon.graphql")


class OperationLog(SchemaExtension):
    """Times each operation (a subscription: until it ends) and logs its name, type, duration
    and how many errors it returned; binds the name for the lines logged inside it."""

    def on_operation(self) -> Iterator[None]:
        """Log the operation once it is over."""
        started = time.perf_counter()
        yield
        context = self.execution_context
        log.info(
            "graphql operation",
            operation_name=context.operation_name,
            operation_type=self._operation_type(),
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
            errors=len(context.pre_execution_errors or []),
        )

    def on_execute(self) -> Iterator[None]:
        """Name the operation on the resolvers' lines (the document is parsed by now)."""
        structlog.contextvars.bind_contextvars(operation_name=self.execution_context.operation_name)
        yield

    def _operation_type(self) -> str | None:
        # A document that did not parse, or names no operation it holds, has no type.
        try:
            return self.execution_context.operation_type.value
        except RuntimeError:
            return None
