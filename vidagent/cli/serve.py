"""`vidagent serve`: the web page and JSON API over a store (thin shell over `vidagent.serve`)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from . import app
from .core import ConfigOpt, StoreOpt


@app.command()
def serve(
    store: StoreOpt = None,
    config: ConfigOpt = None,
    host: Annotated[str, typer.Option("--host", help="address to listen on; not loopback needs --token")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", "-p", min=1, max=65535, help="TCP port")] = 8765,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            envvar="VIDAGENT_TOKEN",
            help="secret every request must carry (default: $VIDAGENT_TOKEN)",
            show_default=False,
        ),
    ] = None,
    open_browser: Annotated[bool, typer.Option("--open", help="open the page in a browser")] = False,
) -> None:
    """A local web page to search, watch the hits and ask questions (read-only; API docs at /docs)."""
    from ..serve import serve as run_serve

    def ready(url: str) -> None:
        print(f"vidagent: serving {url}  (API docs: {url.split('?')[0]}docs; Ctrl-C stops)", file=sys.stderr)

    run_serve(
        store=store, config=config, host=host, port=port, token=token or None, open_browser=open_browser, on_ready=ready
    )
