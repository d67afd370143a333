"""Docs pages that work offline: Swagger UI and GraphiQL from assets inside fabula's wheel.

FastAPI's ``/docs`` and Strawberry's GraphiQL load their JavaScript and CSS from public
CDNs, so they are blank without internet. fabula ships pinned copies (Swagger UI, GraphiQL,
React; versions and hashes in ``_static/ASSETS.txt``, refreshed by
``tools/vendor_docs_assets.py``) and serves them under ``/_fabula/static``::

    app = FastAPI(docs_url=None, redoc_url=None)
    install_docs(app)                   # /docs: Swagger UI, offline

    class Router(GraphQLRouter):        # GraphiQL, offline, opening with an example
        graphql_ide_html = graphiql_html(example_query="{ apiVersion }")
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Final

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from fabula._errors import ConfigurationError

__all__ = ["STATIC_URL", "graphiql_html", "install_docs", "mount_static"]

STATIC_URL: Final = "/_fabula/static"
"""Where an app serves fabula's pinned browser assets."""

_STATIC_DIR: Final = Path(__file__).parent / "_static"


def mount_static(app: FastAPI, /) -> None:
    """Serve the pinned assets under ``STATIC_URL`` (once per app)."""
    if not any(getattr(route, "path", None) == STATIC_URL for route in app.router.routes):
        app.mount(STATIC_URL, StaticFiles(directory=_STATIC_DIR), name="fabula-static")


def install_docs(app: FastAPI, /, *, path: str = "/docs") -> None:
    """Serve Swagger UI at ``path`` from the pinned assets (create the app with ``docs_url=None``).

    Raises:
        ConfigurationError: the app still serves FastAPI's own CDN-based docs.
    """
    if app.docs_url is not None or app.redoc_url is not None:
        msg = "create the app with FastAPI(docs_url=None, redoc_url=None) to serve offline docs"
        raise ConfigurationError(msg)
    mount_static(app)
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get(path, include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{STATIC_URL}/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url=f"{STATIC_URL}/swagger-ui/swagger-ui.css",
            swagger_favicon_url=f"{STATIC_URL}/swagger-ui/favicon-32x32.png",
            swagger_ui_parameters={"persistAuthorization": True, "tryItOutEnabled": True},
        )


def graphiql_html(*, example_query: str, title: str = "GraphiQL") -> str:
    """Return a GraphiQL page that loads the pinned assets and opens with ``example_query``.

    Its headers pane is enabled (send ``{"Authorization": "Bearer <token>"}`` there), and
    subscriptions go over a WebSocket to the same URL.
    """
    return _GRAPHIQL.format(
        title=html.escape(title),
        static=STATIC_URL,
        query=json.dumps(example_query).replace("</", "<\\/"),
    )


_GRAPHIQL: Final = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{title}</title>
  <style>body {{ margin: 0; }} #graphiql {{ height: 100vh; }}</style>
  <link rel="stylesheet" href="{static}/graphiql/graphiql.min.css">
  <script src="{static}/react/react.production.min.js"></script>
  <script src="{static}/react-dom/react-dom.production.min.js"></script>
  <script src="{static}/graphiql/graphiql.min.js"></script>
</head>
<body>
  <div id="graphiql">Loading...</div>
  <script>
    const url = window.location.href.split("?")[0];
    const socket = new URL(url);
    socket.protocol = socket.protocol === "https:" ? "wss:" : "ws:";
    const fetcher = GraphiQL.createFetcher({{ url, subscriptionUrl: socket.toString() }});
    ReactDOM.createRoot(document.getElementById("graphiql")).render(
      React.createElement(GraphiQL, {{
        fetcher,
        defaultQuery: {query},
        isHeadersEditorEnabled: true,
        defaultEditorToolsVisibility: "headers",
      }})
    );
  </script>
</body>
</html>
"""
