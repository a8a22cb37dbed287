"""The FastAPI app: the page at ``/``, its bundled scripts and styles at ``/static``, the
JSON API under ``/api`` (:mod:`estim.web.device` and :mod:`estim.web.journal`).

>>> from fastapi.testclient import TestClient
>>> client = TestClient(create_app(database_url="sqlite://"))
>>> client.get("/api/modes").status_code
200
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from typing import TYPE_CHECKING, Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from estim.errors import InputError
from estim.text import one_line
from estim.web.errors import problem_detail, validation_detail
from estim.web.state import WebState

if TYPE_CHECKING:
    from estim.stimulator import Jobs

__all__ = ["MAX_BODY_BYTES", "create_app"]

#: The largest request body read (bytes): a calibration's fit is at most 100,000 characters,
#: the longest form. A 50 MB body was read whole before the 100-character name check.
MAX_BODY_BYTES = 1 << 20


class _TooLong(Exception):
    """A body past :data:`MAX_BODY_BYTES` while it was read (no length stated)."""


#: Set in a request's scope when its body passed the limit as it was read.
_TOO_LONG_MARK = "estim.body_too_long"


def _too_long(size: str) -> JSONResponse:
    return JSONResponse(status_code=413, content={"detail": {
        "field": "request", "message": f"request: got a body of {size} bytes, expected at "
        f"most {MAX_BODY_BYTES:,}"}})


class _BodyLimit:
    """Refuse a body past :data:`MAX_BODY_BYTES` (a 413 in the API's own shape): before it
    is read where its length is stated, and as soon as it passes the limit where it comes
    in chunks (a 3 MiB chunked body was read whole; review of 5 December 2026)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or ()).get(b"content-length", b"0")
        try:
            stated = int(length)
        except ValueError:
            stated = 0  # the server refuses a malformed length itself
        if stated > MAX_BODY_BYTES:
            await _too_long(f"{stated:,}")(scope, receive, send)
            return
        seen = 0
        started = False

        async def counted() -> Any:
            nonlocal seen
            message = await receive()
            if message.get("type") == "http.request":
                seen += len(message.get("body", b""))
                if seen > MAX_BODY_BYTES:
                    # FastAPI answers any failure while it reads a body as a 400: the mark
                    # tells its handler below which one this was
                    scope[_TOO_LONG_MARK] = True
                    raise _TooLong
            return message

        async def sending(message: Any) -> None:
            nonlocal started
            started = started or message.get("type") == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, sending)
        except _TooLong:
            if started:
                raise
            await _too_long(f"more than {MAX_BODY_BYTES:,}")(scope, receive, send)


def _duplicate_key(body: bytes) -> tuple[str, object, object] | None:
    """The first key given twice in one JSON object of ``body`` (its name, the first value
    and the one after), or None; None too for a body JSON cannot read (FastAPI's own
    message names that)."""
    found: list[tuple[str, object, object]] = []

    def pairs(items: list[tuple[str, object]]) -> dict[str, object]:
        out: dict[str, object] = {}
        for key, value in items:
            if key in out and not found:
                found.append((key, out[key], value))
            out[key] = value
        return out

    try:
        json.loads(body, object_pairs_hook=pairs)
    except (ValueError, RecursionError):
        return None
    return found[0] if found else None


class _OneKeyEach:
    """Refuse a JSON body that gives a key twice (a 422 naming it): JSON's reader keeps the
    last, so ``{"name": "first", "name": "second"}`` stored "second" and a session with
    ``pain_after`` twice was saved with the later one, without a word (probe of 6 December
    2026). Inside :class:`_BodyLimit`, so its body is read within the limit."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        listed = list(scope.get("headers") or ()) if scope["type"] == "http" else []
        headers = dict(listed)
        types = [v for k, v in listed if k.lower() == b"content-type"]
        if len(types) > 1:
            # the check read the last and the body was read as the first, so a JSON body
            # sent with "text/plain" after it kept a key given twice (probe of 6 December
            # 2026)
            text = one_line(InputError("request", " and ".join(t.decode("latin-1")
                                                               for t in types),
                                       "one Content-Type header"))
            await JSONResponse(status_code=422, content={"detail": {
                "field": "request", "message": text}})(scope, receive, send)
            return
        repeated = _repeated_query(scope.get("query_string", b"")) if headers else None
        if repeated is not None:
            param, was, now = repeated
            text = one_line(InputError(param, now, f"each query parameter once ({param!r} "
                                                   f"was given twice, first as {was!r})"))
            await JSONResponse(status_code=422, content={"detail": {
                "field": param if param.isidentifier() else "request",
                "message": text}})(scope, receive, send)
            return
        # a media type's case does not matter: 'Application/JSON' passed around the check
        # and FastAPI read it as JSON (probe of 6 December 2026)
        if b"json" not in headers.get(b"content-type", b"").lower():
            await self.app(scope, receive, send)
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if message.get("type") != "http.request" or not message.get("more_body"):
                break
        body = b"".join(chunks)
        twice = _duplicate_key(body)
        if twice is not None:
            key, first, then = twice
            field = key if key.isidentifier() else "request"
            text = one_line(InputError(field, then, f"each key once ({key!r} was given "
                                                    f"twice, first as {first!r})"))
            await JSONResponse(status_code=422, content={"detail": {
                "field": field, "message": text}})(scope, receive, send)
            return
        replayed = False

        async def again() -> Any:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, again, send)


def _methods_of(app: FastAPI, path: str) -> list[str]:
    """The HTTP methods the API takes on ``path``, from its own schema (a path template's
    ``{name}`` matches one segment); the page's own ``/`` takes GET and HEAD."""
    if path == "/":
        return ["GET", "HEAD"]
    parts = path.strip("/").split("/")
    methods: set[str] = set()
    for template, operations in app.openapi().get("paths", {}).items():
        pattern = template.strip("/").split("/")
        if len(pattern) == len(parts) and all(
                p.startswith("{") or p == q for p, q in zip(pattern, parts, strict=True)):
            methods |= {m.upper() for m in operations}
    if "GET" in methods:
        methods.add("HEAD")  # answered as the GET without its body (_HeadAsGet)
    return sorted(methods)


def _known_query(request: Request) -> None:
    """Refuse a query parameter the route does not take: ``export.csv?PERSON_ID=2`` (or
    ``?person=2``) was ignored and the export held every person's sessions (hostile probe
    of 7 December 2026)."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None or not request.url.path.startswith("/api/"):
        return  # the page itself takes whatever a bookmark or a link adds
    known = sorted({p.alias for p in dependant.query_params})
    for key, value in request.query_params.items():
        if key not in known:
            taken = (f"only the query parameter{'s' if len(known) > 1 else ''} "
                     f"{', '.join(known)}" if known else "no query parameters here")
            raise InputError(key if key.isidentifier() else "request", value,
                             f"{taken} ({key!r} is not one)")


def _repeated_query(query: bytes) -> tuple[str, str, str] | None:
    """The first query parameter given twice, with its two values: the dial took the last
    of ``amplitude=10 mA&amplitude=100 mA`` without a word (probe of 6 December 2026)."""
    from urllib.parse import parse_qsl

    seen: dict[str, str] = {}
    for key, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        if key in seen:
            return key, seen[key], value
        seen[key] = value
    return None


#: The names this computer answers to, where ``estim serve`` listens on it alone.
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


class _OwnHostOnly:
    """Answer only requests addressed to this computer by name (the Host header), where
    the server listens on it alone: a page elsewhere whose name is made to point here (DNS
    rebinding) read every person's journal and added to it (probe of 6 December 2026);
    the journal holds health records and has no login."""

    def __init__(self, app: Any, hosts: tuple[str, ...]) -> None:
        self.app = app
        self.hosts = {h.lower().strip("[]") for h in hosts}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        host = dict(scope.get("headers") or ()).get(b"host", b"").decode("latin-1").lower()
        # "127.0.0.1:8797", "[::1]:8797", "localhost"
        name = host[1:host.index("]")] if host.startswith("[") and "]" in host else \
            host.rsplit(":", 1)[0] if host.count(":") == 1 else host
        if name in self.hosts:
            await self.app(scope, receive, send)
            return
        text = one_line(InputError("Host", host or "(none)", "this computer's own address ("
                                   + ", ".join(sorted(self.hosts)) + "): the stimulator "
                                   "answers only pages served from it"))
        await JSONResponse(status_code=400, content={"detail": {
            "field": "Host", "message": text}})(scope, receive, send)


#: The scope mark of a HEAD request answered as its GET (:class:`_HeadAsGet`).
_WAS_HEAD = "estim.was_head"


class _HeadAsGet:
    """HEAD on an API path is its GET without the body, as HTTP says: the API's GET routes
    answered a monitor's or a link checker's HEAD with a 405 (probe of 6 December 2026).
    The headers (the length included) are the GET's; a path without GET still gets its 405,
    naming HEAD."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD" or \
                not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return

        async def no_body(message: Any) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET", _WAS_HEAD: True}, receive, no_body)


def _page() -> str:
    from jinja2 import Environment, select_autoescape

    text = (resources.files("estim.web") / "templates" / "index.html").read_text("utf-8")
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    from estim.program.bundled import DEFAULT_EXAMPLE
    from estim.version import __version__

    return env.from_string(text).render(version=__version__, default_mode=DEFAULT_EXAMPLE)


def create_app(*, database_url: str | None = None, jobs: Jobs | None = None,
               hosts: tuple[str, ...] | None = None) -> FastAPI:
    """The app of ``estim serve``.

    :param database_url: the journal's SQLAlchemy URL; None: SQLite in the user's data
        directory (:class:`estim.journal.Journal`).
    :param jobs: the background preparation of programs (:class:`estim.stimulator.Jobs`);
        None: a new one. Tests share one so that a program is prepared once.
    :param hosts: the names a request's Host header may give (``estim serve`` on this
        computer alone: :data:`LOOPBACK_HOSTS` and its ``--host``); None: any.
    """
    from estim.web import device, journal

    state = WebState(database_url=database_url, jobs=jobs)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        state.close()

    # no Swagger page: its scripts come from a CDN, and the stimulator works offline (probe
    # of 5 December 2026); the schema itself is served
    app = FastAPI(title="estim", lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url="/api/openapi.json", dependencies=[Depends(_known_query)])
    app.state.web = state

    @app.exception_handler(InputError)
    async def bad_input(request: Request, err: InputError) -> JSONResponse:
        # a device setting names its form field itself (estim.stimulator.SettingsError)
        setting = getattr(err, "setting", None)
        fields = (setting,) if setting else getattr(request.state, "form_fields", ())
        detail: dict[str, object] = dict(problem_detail(err, fields))
        if setting:
            detail["field"] = setting
        problems = getattr(err, "problems", None) or []
        if len(problems) > 1:
            # each under its own box: two bad settings were both shown under the first's,
            # and the second box was not marked (probe of 5 December 2026)
            each = getattr(err, "settings", None) or [problem_detail(p, fields)["field"]
                                                      for p in problems]
            # in the form's words, each once (a pad width wrong for both pads read twice)
            said: list[dict[str, object]] = []
            for f, p in zip(each, problems, strict=True):
                one = {"field": f, "message": problem_detail(p, (f,))["message"]}
                if one not in said:
                    said.append(one)
            detail["problems"] = said
        return JSONResponse(status_code=422, content={"detail": detail})

    @app.exception_handler(HTTPException)
    async def unread(request: Request, err: HTTPException) -> JSONResponse:
        # a body that is not UTF-8 got FastAPI's {"detail": "There was an error parsing the
        # body"}, a string where every other bad body names its field
        if request.scope.get(_TOO_LONG_MARK):
            return _too_long(f"more than {MAX_BODY_BYTES:,}")
        if err.status_code == 405:
            # {"detail": "Method Not Allowed"} with "allow: GET" on a path that takes POST
            # too (probe of 6 December 2026): every method of the path's routes, said as
            # every other error is
            # the page's static files take GET and HEAD: "expected one of  on
            # /static/app.js" with an empty Allow (probe of 6 December 2026)
            allowed = (["GET", "HEAD"] if request.url.path.startswith("/static/")
                       else _methods_of(request.app, request.url.path))
            method = "HEAD" if request.scope.get(_WAS_HEAD) else request.method
            text = one_line(InputError("method", method, "one of " + ", ".join(
                allowed) + f" on {request.url.path}"))
            return JSONResponse(status_code=405, content={"detail": {
                "field": "method", "message": text}}, headers={"Allow": ", ".join(allowed)})
        if err.status_code == 404 and err.detail == "Not Found":
            # {"detail": "Not Found"}, a bare string where every other error names its
            # field (probe of 6 December 2026)
            text = one_line(InputError("path", request.url.path, "a path the server has: "
                                       "the page at /, its files under /static/, the API "
                                       "under /api/ (listed in /api/openapi.json)"))
            return JSONResponse(status_code=404, content={"detail": {
                "field": "path", "message": text}})
        if err.status_code != 400 or err.detail != "There was an error parsing the body":
            return JSONResponse(status_code=err.status_code, content={"detail": err.detail},
                                headers=err.headers)
        # not only a body that is not UTF-8: a number of over 4,300 digits or JSON nested
        # 100,000 deep end here too, and were called "not text" (probe of 5 December 2026)
        return JSONResponse(status_code=422, content={"detail": {
            "field": "request", "message": "request: got a body that could not be read "
            "as JSON (not UTF-8, a number of over 4,300 digits, or nesting too deep), "
            "expected a JSON body in UTF-8"}})

    from estim.journal import JournalUnavailable, JournalUnreadable

    @app.exception_handler(JournalUnavailable)
    async def busy(request: Request, err: JournalUnavailable) -> JSONResponse:
        return JSONResponse(status_code=503, content={"detail": {
            "field": "database", "message": str(err)}}, headers={"Retry-After": "5"})

    @app.exception_handler(JournalUnreadable)
    async def unreadable_row(request: Request, err: JournalUnreadable) -> JSONResponse:
        # not "try again in 5 s": a value a person must correct (review)
        return JSONResponse(status_code=500, content={"detail": {
            "field": "database", "message": str(err)}})

    @app.exception_handler(RequestValidationError)
    async def unreadable(request: Request, err: RequestValidationError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"detail": validation_detail(err.errors())})

    page = _page()

    # HEAD too: a monitor or a link checker asks with it (it was a 405; probe)
    @app.api_route("/", methods=["GET", "HEAD"], response_class=HTMLResponse,
                   include_in_schema=False)
    def index() -> str:
        return page

    static = str(resources.files("estim.web") / "static")
    app.mount("/static", StaticFiles(directory=static), name="static")
    app.include_router(device.router, prefix="/api")
    app.include_router(journal.router, prefix="/api")
    app.add_middleware(_OneKeyEach)
    app.add_middleware(_HeadAsGet)
    app.add_middleware(_BodyLimit)  # added last: the outermost, so it limits what the other reads
    if hosts is not None:
        app.add_middleware(_OwnHostOnly, hosts=hosts)  # outside even that: nothing is read
    return app
