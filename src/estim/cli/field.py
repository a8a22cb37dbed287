"""``estim field PROGRAM -o DIR`` (for now the command lives in :mod:`estim.fields.cli`,
which the HTML report still imports; it moves here once the report draws its own
cross-section)."""

from __future__ import annotations

from typing import Any

__all__ = ["register"]


def register(sub: Any) -> None:
    from estim.fields import cli

    cli.register(sub).set_defaults(handler=cli.run)
