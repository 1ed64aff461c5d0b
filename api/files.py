"""`GET /files/{document_id}/{version}?expires=&signature=`: a document's original file.

The signed link is the authority (browsers open it as a plain link, without a bearer token).
The file is served on the app's own origin, so it must never run as a page there: PDFs are
shown inline (the viewer honours `#page=N`), everything else is an attachment, and every
answer carries `nosniff` and a sandboxing CSP, which keeps scripts from running even if a
browser renders the file anyway.
"""

import re
from urllib.parse import quote, urlencode

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from domain.bootstrap import Services
from domain.documents.downloads import Download, DownloadLink
from domain.documents.kinds import DocumentKind
from domain.errors import TransientFailure
from domain.settings import Settings

PREFIX = "/files"  # HttpGuards lets responses under it outlast the request deadline
_UNSAFE_IN_QUOTED_NAME = re.compile(r"[^A-Za-z0-9 ._()-]")

# On every answer, refusals included.
_ALWAYS = {
    "x-content-type-options": "nosniff",
    "content-security-policy": "sandbox",
    # Files may be confidential and the link outlives neither a deletion nor a new version:
    # nothing keeps a copy, not even the browser.
    "cache-control": "no-store",
    # The URL carries a signature; a link inside the file must not hand it to another site.
    "referrer-policy": "no-referrer",
}


def download_url(settings: Settings, link: DownloadLink) -> str:
    """The link's URL: relative to the API's origin, or absolute under BEACON_PUBLIC_URL."""
    query = urlencode({"expires": link.expires, "signature": link.signature})
    path = f"{PREFIX}/{link.document_id}/{link.version}?{query}"
    return (settings.public_url or "").rstrip("/") + path


async def download(request: Request) -> Response:
    """Stream the file a valid link names; 403 for anything else, whatever the reason."""
    services: Services = request.app.state.services
    try:
        opened = await services.downloads.open(
            request.path_params["document_id"],
            request.path_params["version"],
            request.query_params.get("expires", ""),
            request.query_params.get("signature", ""),
        )
    except TransientFailure as error:
        return PlainTextResponse(str(error), status_code=503, headers=_ALWAYS)
    if opened is None:
        return PlainTextResponse(
            "This link is invalid or has expired; open the document again for a new one.",
            status_code=403,
            headers=_ALWAYS,
        )
    headers = {
        **_ALWAYS,
        "content-length": str(opened.size_bytes),
        "content-disposition": _disposition(opened),
    }
    media_type = opened.kind.content_type
    if request.method == "HEAD":
        await opened.chunks.aclose()
        return Response(headers=headers, media_type=media_type)
    return StreamingResponse(opened.chunks, headers=headers, media_type=media_type)


def _disposition(opened: Download) -> str:
    """Inline for PDFs, an attachment otherwise; the name both plain and RFC 5987 encoded
    (the stored name is the client's: quote() leaves no quote, semicolon or line break)."""
    disposition = "inline" if opened.kind is DocumentKind.PDF else "attachment"
    fallback = _UNSAFE_IN_QUOTED_NAME.sub("_", opened.filename) or "download"
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(opened.filename)}"


ROUTE = Route(f"{PREFIX}/{{document_id}}/{{version}}", download, methods=["GET"])
