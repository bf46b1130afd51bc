"""The HTTP layer of `vidagent serve`: JSON API, media with range requests, thumbnails and the page.

Safety by construction: no route takes a filesystem path. Videos are named by content hash and looked
up in the store; clips by id; page assets come from a fixed table in the package. Every error is a
small JSON object with a 4xx status (5xx only for bugs, still without a traceback). With a token, every
request must carry it (header, cookie set by the page, or `?token=` once); bound to loopback, requests
must also name a loopback host (a web page cannot reach the server through DNS rebinding).
"""

from __future__ import annotations

import logging
import secrets
from importlib import resources
from typing import Any
from urllib.parse import urlencode

from ..errors import require

require("fastapi", "serve")
require("fastapi_offline", "serve")

# The imports below come after the checks above on purpose: a missing extra names its pip install.
from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import VidagentError, one_line
from .library import NotFound, ServeLibrary
from .media import RangeError, media_type, parse_range, stream
from .thumbs import WIDTHS

log = logging.getLogger(__name__)

COOKIE = "vidagent_token"
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
ASSETS = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/static/app.js": ("app.js", "text/javascript; charset=utf-8"),
    "/static/style.css": ("style.css", "text/css; charset=utf-8"),
    "/favicon.svg": ("favicon.svg", "image/svg+xml"),
}
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"}
PAGE_CSP = (
    "default-src 'self'; img-src 'self' data:; media-src 'self'; style-src 'self'; "
    "script-src 'self'; connect-src 'self'; frame-ancestors 'none'"
)


class AskBody(BaseModel):
    """POST /api/ask: a question, optionally about one video (by content hash)."""

    question: str = Field(..., min_length=1, max_length=2000)
    video: str | None = Field(None, max_length=64, description="only this video (content hash)")
    top_k: int | None = Field(None, ge=1, le=50, description="clips retrieved (default: agent.top_k)")


def host_name(header: str) -> str:
    """The host part of a Host header: 'localhost:8765' -> 'localhost', '[::1]:8765' -> '[::1]'."""
    header = header.strip().lower()
    if header.startswith("["):
        return header.split("]", 1)[0] + "]"
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def _assets() -> dict[str, tuple[bytes, str]]:
    base = resources.files("vidagent.serve") / "static"
    return {route: ((base / name).read_bytes(), ctype) for route, (name, ctype) in ASSETS.items()}


def create_app(library: ServeLibrary, token: str | None = None, loopback_only: bool = True) -> FastAPI:
    """The FastAPI application over an open library. `loopback_only`: accept only loopback Host names."""
    from .. import __version__

    app: FastAPI = FastAPIOffline(
        title="vidagent",
        version=__version__,
        description="Search, watch and ask about the videos of one vidagent store (read-only). "
        "Mirrors `vidagent search`, `vidagent ask`, `vidagent status` and the Python API.",
    )
    assets = _assets()

    def error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
        return JSONResponse({"error": message, "status": status}, status_code=status, headers=headers)

    # -- errors: always JSON, never a traceback ---------------------------------------------------
    @app.exception_handler(NotFound)
    async def _not_found(_req: Request, exc: NotFound) -> JSONResponse:
        return error(404, one_line(exc))

    @app.exception_handler(VidagentError)
    async def _bad(_req: Request, exc: VidagentError) -> JSONResponse:
        return error(400, one_line(exc))

    @app.exception_handler(RangeError)
    async def _range(_req: Request, exc: RangeError) -> JSONResponse:
        return error(exc.status, str(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(_req: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("query", "body", "path"))
        return error(422, f"{where or 'request'}: {first.get('msg', 'invalid')}")

    @app.exception_handler(StarletteHTTPException)
    async def _http(_req: Request, exc: StarletteHTTPException) -> JSONResponse:
        return error(exc.status_code, str(exc.detail))

    @app.exception_handler(Exception)
    async def _bug(_req: Request, exc: Exception) -> JSONResponse:
        log.error("internal error: %s", one_line(exc), exc_info=exc)
        return error(500, "internal error (see the server log)")

    # -- access: host check and token -------------------------------------------------------------
    @app.middleware("http")
    async def _guard(request: Request, call_next: Any) -> Any:
        if loopback_only:
            host = host_name(request.headers.get("host") or "")
            if host not in LOOPBACK_HOSTS:
                return error(403, f"host {host[:60]!r} not allowed: this server answers on loopback names only")
        if token:
            given = request.query_params.get("token") or request.cookies.get(COOKIE) or ""
            auth = request.headers.get("authorization", "")
            if auth.lower().startswith("bearer "):
                given = auth[7:].strip()
            if not secrets.compare_digest(given.encode(), token.encode()):
                return error(
                    401,
                    "a token is required: open the URL printed by `vidagent serve` "
                    "or send 'Authorization: Bearer TOKEN'",
                )
            if request.query_params.get("token") and request.url.path == "/" and request.method == "GET":
                # Swap the token in the address bar for a cookie, so links copied from the page hold none.
                rest = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "token"])
                resp = RedirectResponse("/" + (f"?{rest}" if rest else ""), status_code=303)
                resp.set_cookie(COOKIE, token, httponly=True, samesite="strict")
                return resp
        response = await call_next(request)
        for k, v in SECURITY_HEADERS.items():
            response.headers.setdefault(k, v)
        return response

    # -- page ---------------------------------------------------------------------------------------
    def asset(route: str) -> Response:
        body, ctype = assets[route]
        headers = {"Cache-Control": "no-cache"}
        if route == "/":
            headers["Content-Security-Policy"] = PAGE_CSP
        return Response(body, media_type=ctype, headers=headers)

    @app.get("/", include_in_schema=False)
    def page() -> Response:
        return asset("/")

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> Response:
        route = f"/static/{name}"
        if route not in assets:
            raise NotFound(f"no such page asset: {name[:60]}")
        return asset(route)

    @app.get("/favicon.svg", include_in_schema=False)
    def favicon() -> Response:
        return asset("/favicon.svg")

    # -- JSON API -----------------------------------------------------------------------------------
    @app.get("/api/status", summary="Store counts (like `vidagent status --json`)")
    def status() -> dict[str, Any]:
        return library.status()

    @app.get("/api/search", summary="Ranked clips for a query (like `vidagent search --json`), paged")
    def search(
        q: str = Query(..., min_length=1, max_length=1000, description="what to find, in words"),
        offset: int = Query(0, ge=0, le=1000),
        limit: int = Query(24, ge=1, le=200),
        video: str | None = Query(None, max_length=64, description="only this video (content hash)"),
        min_score: float | None = Query(None, description="drop hits scoring below this"),
        start: float | None = Query(None, ge=0, description="only hits ending after this second"),
        end: float | None = Query(None, ge=0, description="only hits starting before this second"),
    ) -> dict[str, Any]:
        return library.search(q, offset=offset, limit=limit, video=video, min_score=min_score, start=start, end=end)

    @app.post("/api/ask", summary="Answer with checked citations (like `vidagent ask --json`); not recorded")
    def ask(body: AskBody) -> dict[str, Any]:
        return library.ask(body.question, video=body.video, top_k=body.top_k)

    @app.get("/api/videos", summary="Indexed videos with duration, clip count and indexing status")
    def videos() -> list[dict[str, Any]]:
        return library.videos()

    @app.get("/api/videos/{video_hash}/clips", summary="A video's clips in time order, paged")
    def video_clips(
        video_hash: str, offset: int = Query(0, ge=0), limit: int = Query(50, ge=1, le=500)
    ) -> dict[str, Any]:
        return library.video_clips(video_hash, offset, limit)

    @app.get("/api/clips/{clip_id}", summary="One clip: times, caption, tags, text, speech, neighbours")
    def clip(clip_id: str) -> dict[str, Any]:
        return library.clip(clip_id)

    @app.get(
        "/api/clips/{clip_id}/thumb.jpg",
        summary="A JPEG of the clip's middle keyframe (cached)",
        response_class=Response,
    )
    def thumb(clip_id: str, w: int = Query(320, description=f"width: one of {WIDTHS}")) -> Response:
        if w not in WIDTHS:
            raise VidagentError(f"thumbnail width must be one of {', '.join(map(str, WIDTHS))}")
        data = library.thumbnail(clip_id, w)
        return Response(data, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=86400"})

    @app.head("/media/{video_hash}", response_class=Response, include_in_schema=False)
    @app.get(
        "/media/{video_hash}",
        response_class=Response,
        summary="The video file of an indexed video, by content hash; HTTP range requests",
    )
    def media(video_hash: str, request: Request) -> Response:
        f, size, path = library.open_media(video_hash)
        etag = f'"{video_hash}"'
        headers = {"Accept-Ranges": "bytes", "ETag": etag, "Cache-Control": "private, max-age=3600"}
        ctype = media_type(path)
        try:
            if request.headers.get("if-none-match") == etag:
                f.close()
                return Response(status_code=304, headers=headers)
            rng = request.headers.get("range")
            if_range = request.headers.get("if-range")
            if rng and (if_range is None or if_range == etag):
                try:
                    first, last = parse_range(rng, size)
                except RangeError as exc:
                    f.close()
                    extra = {"Content-Range": f"bytes */{size}"} if exc.status == 416 else None
                    return error(exc.status, str(exc), headers=extra)
                status_code = 206
                headers["Content-Range"] = f"bytes {first}-{last}/{size}"
            else:
                first, last, status_code = 0, size - 1, 200
            headers["Content-Length"] = str(last - first + 1)
            if request.method == "HEAD" or size == 0:
                f.close()
                return Response(status_code=status_code, headers=headers, media_type=ctype)
        except BaseException:
            f.close()
            raise
        return StreamingResponse(stream(f, first, last), status_code=status_code, headers=headers, media_type=ctype)

    @app.get("/api/{rest:path}", include_in_schema=False)
    def unknown(rest: str) -> Response:
        raise NotFound(f"no API route /api/{rest[:80]}")

    return app
