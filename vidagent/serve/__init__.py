"""`vidagent serve`: a local web page and JSON API to search the store, watch the hits and ask.

Importing this package is cheap; FastAPI and uvicorn load when a server is built (`pip install
'vidagent[serve]'`). `serve()` is what the CLI calls; `create_app` + `ServeLibrary` build the same
application for tests or for mounting in another ASGI server.
"""

from __future__ import annotations

from .server import is_loopback, serve

__all__ = ["is_loopback", "serve"]
