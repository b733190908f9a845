"""The dashboard application: JSON API plus server-rendered pages.

``create_app(store)`` is all ``oncometrics serve`` needs; it opens the
store's indicator tables read-only (see :mod:`oncometrics.web.data`).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from oncometrics import __version__
from oncometrics.web import api, drill, pages
from oncometrics.web.data import Live

STATIC = Path(__file__).parent / "static"


def create_app(store: Path | str, *, query_timeout: float = 5.0) -> FastAPI:
    """The dashboard for `store` (its ``indicators/`` folder, read-only).

    Every request reads one snapshot of the tables (``snapshot(request)``);
    a new one is loaded when compute or portfolio replaces the folders.
    """
    from fastapi_offline import FastAPIOffline

    app = FastAPIOffline(  # /docs and /redoc assets from the package: no CDN
        title="oncometrics",
        version=__version__,
        description="Read-only API over the indicator tables of an oncometrics store.",
    )
    app.state.store = Path(store)
    app.state.live = Live(Path(store), timeout=query_timeout)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(drill.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.exception_handler(RequestValidationError)
    async def _bad_request(
        request: Request, exc: RequestValidationError
    ) -> JSONResponse:
        msgs = [
            f"{'.'.join(str(p) for p in e.get('loc', ())[1:])}: {e.get('msg')}"
            for e in exc.errors()
        ]
        return JSONResponse({"detail": "; ".join(msgs)}, status_code=400)

    return app
