"""The ``cosbot`` command line (``bot.cli:main`` is the installed script's entry point)."""

from __future__ import annotations

from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``cosbot``; imported when called, so that ``bot.cli.progress`` and the like stay light."""
    from bot.cli.commands import main as run

    return run(argv)
