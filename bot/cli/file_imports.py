"""Importing a CSV file from the command line: all or nothing, with each problem on a line of its own."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from bot.config import Settings
    from communities.clock import Clock
    from communities.db import Database


class CliError(Exception):
    """A problem the user can fix; printed without a traceback."""


def run_file_import(
    settings: Settings,
    path: Path,
    columns: str,
    importer: Callable[[Database, Path, Clock], Coroutine[Any, Any, ImportReport]],
) -> None:
    """Import one CSV file all or nothing, on the migrated database, and print the report's lines."""
    from bot.migrate import upgrade
    from communities.clock import SystemClock
    from communities.db import Database

    if not path.is_file():
        raise CliError(f"{path} is not a file (it should be a CSV with the columns {columns})")
    upgrade(settings.database_url)

    async def run() -> None:
        database = Database(settings.database_url)
        try:
            report = await importer(database, path, SystemClock())
            for line in report.lines():
                sys.stdout.write(f"{line}\n")
        finally:
            await database.dispose()

    run_import(run)


class ImportReport(Protocol):
    def lines(self) -> list[str]: ...


def run_import(run: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run an all-or-nothing import; if it found problems, each goes to stderr on a line of its own."""
    from communities.csv_reading import CsvImportError

    try:
        asyncio.run(run())
    except CsvImportError as error:
        for problem in error.problems:
            sys.stderr.write(f"{problem}\n")
        raise CliError(f"nothing was imported: {len(error.problems)} problem(s) to fix first") from None
