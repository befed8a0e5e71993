"""The live viewer: the static site's pages, rendered from the database on each request.

Same paths and relative links as the static site (index.html, tasks.html,
episodes/<id>.html, artifacts/<sha256>.<ext>, style.css), so a page saved from the server
and one written by `build_site` are the same page. Endpoints are plain functions: Starlette
runs them in its thread pool, where the synchronous store belongs. Binds to loopback unless
told otherwise (the viewer has no authentication), and answers only requests whose Host header
names an allowed host, so a web page whose name is rebound to 127.0.0.1 (DNS rebinding) cannot
read it: loopback names by default, plus the bound address and any host the user allows.
"""
from __future__ import annotations

import html
import ipaddress
import re
from collections.abc import Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from scoring.leaderboard import Filters, build_rows, rows_to_json
from scoring.site.render import (
    CSP,
    HASHED_PREFIX,
    MIME_EXT,
    artifact_name,
    page_name,
    render_episode,
    render_index,
    render_tasks,
    stylesheet,
)
from scoring.source import StoreSource

SHA256 = re.compile(r"^[0-9a-f]{64}$")
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")
WILDCARD_BINDS = ("", "0.0.0.0", "::")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def _page(body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(body, status_code=status, headers=SECURITY_HEADERS)


def _not_found(what: str) -> HTMLResponse:
    return _page(f"<!doctype html><meta charset=utf-8><title>Not found</title>"
                 f"<p>Not found: {html.escape(what)}</p><p><a href='/index.html'>Leaderboard</a></p>", 404)


def host_header_name(host: str) -> str:
    """A host as it appears in a Host header: IPv6 literals in brackets, lower case."""
    host = host.strip().lower()
    try:
        return f"[{host}]" if ipaddress.ip_address(host.strip("[]")).version == 6 else host
    except ValueError:
        return host


def allowed_hosts(bind_host: str = "127.0.0.1", extra: Sequence[str] = ()) -> list[str]:
    """The Host header names the viewer answers: loopback names, the bound address (unless it is
    a wildcard such as 0.0.0.0) and `extra` (names, addresses or `*.domain` patterns)."""
    names = list(LOOPBACK_HOSTS)
    if bind_host.strip() not in WILDCARD_BINDS:
        names.append(host_header_name(bind_host))
    names += [host_header_name(h) for h in extra if h.strip()]
    return list(dict.fromkeys(names))


def create_app(store: Any, filters: Filters | None = None, hosts: Sequence[str] | None = None) -> Starlette:
    """A Starlette app serving the site for `store` (a TrajectoryStore) to requests whose Host
    header names one of `hosts` (default: loopback names only); others get 400."""
    source = StoreSource(store, filters)

    def index(request: Request) -> Response:
        episodes = source.episodes()
        return _page(render_index(episodes, source.runs(episodes), root=""))

    def tasks(request: Request) -> Response:
        return _page(render_tasks(source.episodes(), root=""))

    def episode(request: Request) -> Response:
        name = request.path_params["name"] + ".html"
        episode_id = _episode_id(source, name)
        if episode_id is None:
            return _not_found(f"episode page {name}")

        def image_url(sha: str) -> str:
            return f"../artifacts/{artifact_name(sha, source.mime(sha))}"

        view = source.episode_view(episode_id, image_url)
        return _page(render_episode(view, source.attempts(view.episode), root="../"))

    def artifact(request: Request) -> Response:
        sha = request.path_params["name"].split(".", 1)[0]
        if not SHA256.match(sha):
            return _not_found("artifact")
        try:
            data, mime = source.artifact(sha)
        except (KeyError, FileNotFoundError, LookupError):
            return _not_found(f"artifact {sha}")
        headers = {**SECURITY_HEADERS, "Cache-Control": "public, max-age=31536000, immutable"}
        if mime not in MIME_EXT:  # only raster images are shown inline; anything else downloads
            mime = "application/octet-stream"
            headers["Content-Disposition"] = f'attachment; filename="{sha}.bin"'
        return Response(data, media_type=mime, headers=headers)

    def style(request: Request) -> Response:
        return Response(stylesheet(), media_type="text/css", headers=SECURITY_HEADERS)

    def leaderboard_json(request: Request) -> Response:
        return JSONResponse(rows_to_json(build_rows(source.episodes())), headers=SECURITY_HEADERS)

    routes = [
        Route("/", lambda request: RedirectResponse("/index.html")),
        Route("/index.html", index),
        Route("/tasks.html", tasks),
        Route("/episodes/{name}.html", episode),
        Route("/artifacts/{name}", artifact),
        Route("/style.css", style),
        Route("/leaderboard.json", leaderboard_json),
    ]
    host_check = Middleware(TrustedHostMiddleware, allowed_hosts=list(hosts or LOOPBACK_HOSTS), www_redirect=False)
    return Starlette(routes=routes, middleware=[host_check])


def _episode_id(source: StoreSource, name: str) -> str | None:
    """The episode a page name stands for (hashed names need a scan, plain ones a lookup)."""
    stem = name.removesuffix(".html")
    if page_name(stem) == name:
        try:
            source.store.get_episode(stem)
            return stem
        except KeyError:
            pass
    if stem.startswith(HASHED_PREFIX):
        for ep in source.store.iter_episodes():
            if page_name(ep.id) == name:
                return ep.id
    return None


def serve(store: Any, host: str = "127.0.0.1", port: int = 8765, filters: Filters | None = None,
          allow_hosts: Sequence[str] = ()) -> None:
    """Run the viewer until interrupted; see `allowed_hosts` for the Host headers it answers."""
    import uvicorn

    app = create_app(store, filters, allowed_hosts(host, allow_hosts))
    uvicorn.run(app, host=host, port=port, log_level="warning")
