"""Start the web server: decide whether the bind address is safe, then run uvicorn."""

from __future__ import annotations

import ipaddress
import logging
import os
import threading
from typing import Any

from ..errors import VidagentError, require

log = logging.getLogger(__name__)


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach (127.0.0.0/8, ::1, 'localhost')."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name or an interface we cannot prove local


def check_bind(host: str, token: str | None) -> None:
    """Refuse to expose a library to the network without a token."""
    if not is_loopback(host) and not token:
        raise VidagentError(
            f"refusing to listen on {host} without a token: anyone who can reach this machine could browse "
            "your videos; pass --token SECRET (or set VIDAGENT_TOKEN), or bind 127.0.0.1"
        )


def serve(
    store: str | os.PathLike[str] | None = None,
    config: Any = None,
    host: str = "127.0.0.1",
    port: int = 8765,
    token: str | None = None,
    open_browser: bool = False,
    on_ready: Any = None,
) -> None:
    """Serve the store until interrupted. `token` None reads VIDAGENT_TOKEN."""
    token = token if token is not None else (os.environ.get("VIDAGENT_TOKEN") or None)
    check_bind(host, token)
    uvicorn = require("uvicorn", "serve")
    from .app import create_app
    from .library import ServeLibrary

    library = ServeLibrary(store, config)
    app = create_app(library, token=token, loopback_only=is_loopback(host))
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else shown}:{port}/"
    if token:
        url += f"?token={token}"
    if on_ready is not None:
        on_ready(url)
    if open_browser:
        import webbrowser

        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    try:
        uvicorn.run(app, host=host.strip("[]"), port=port, log_level="warning")
    finally:
        library.close()
