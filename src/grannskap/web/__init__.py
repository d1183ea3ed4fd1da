"""The read-only dashboard: ``grannskap serve``.

``make_app(db)`` opens the database read-only and returns an :class:`~grannskap.web.app.App`
whose ``handle(path, query)`` produces responses; ``make_server``/``serve`` put it behind
uvicorn (ASGI, :mod:`grannskap.web.asgi`) with connection timeouts and limits. Pages reuse the report's section modules and
templates, so the dashboard and the report show the same charts and texts.
"""

from __future__ import annotations

from typing import Any

__all__ = ["make_app", "make_server", "serve"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from grannskap.web import server

        return getattr(server, name)
    raise AttributeError(name)
