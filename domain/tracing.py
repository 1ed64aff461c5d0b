"""OpenTelemetry traces: one trace from an upload through its ingestion, and from a question
through retrieval and generation, exported over OTLP when `BEACON_OTLP_ENDPOINT` is set.

The API's spans come from the maintained instrumentations (ASGI, httpx, redis) and
Strawberry's extension; the domain adds a span per ingestion stage and per answer step. A
job's trace context travels inside its Dramatiq message (`carrier()` at enqueue,
`continued()` in the actor), so the worker's spans join the request's trace.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry import context, propagate, trace
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.instrumentation.redis import RedisInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

tracer = trace.get_tracer("beacon")
_configured = False


def configure_tracing(
    service_name: str, otlp_endpoint: str | None, processor: SpanProcessor | None = None
) -> None:
    """Install the process's tracer provider once: spans go to `processor` (tests) or to the
    OTLP endpoint; with neither, spans are created but dropped at no export cost."""
    global _configured
    if _configured:
        return
    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    if processor is not None:
        provider.add_span_processor(processor)
    elif otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter(endpoint=otlp_endpoint.rstrip("/") + "/v1/traces")
        provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    HTTPXClientInstrumentor().instrument()
    RedisInstrumentor().instrument()
    _configured = True


def carrier() -> dict[str, str]:
    """The current trace context, to send along with a job."""
    headers: dict[str, str] = {}
    propagate.inject(headers)
    return headers


@contextmanager
def continued(name: str, headers: dict[str, str] | None) -> Iterator[trace.Span]:
    """A span for a job, in the trace of the request that queued it (a new trace without)."""
    token = context.attach(propagate.extract(headers or {}))
    try:
        with tracer.start_as_current_span(name, kind=trace.SpanKind.CONSUMER) as span:
            yield span
    finally:
        context.detach(token)
