"""``estim serve``: the virtual stimulator and the therapy journal in the browser.

A FastAPI app (:func:`create_app`) with a JSON API under ``/api`` and one page at ``/``.
Every script and style it loads is bundled in this package (it works offline). The app is a
face: each endpoint parses its input, makes one call into :mod:`estim.stimulator` or
:mod:`estim.journal` and returns the answer; bad input is a 422 with
``{"detail": {"field": ..., "message": ...}}``, the message the CLI would print.

FastAPI is the optional ``web`` extra (``pip install estim[web]``); importing
:mod:`estim` does not import it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from estim.web.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:  # FastAPI is imported only when the app is wanted
    if name == "create_app":
        from estim.web.app import create_app

        return create_app
    raise AttributeError(name)
