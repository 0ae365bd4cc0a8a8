"""The data inventory (``docs/data-inventory.md``) names every table the bot has, and each table's
pupil-level fields: a new table, or a new pupil-level field, fails here until it is described."""

from __future__ import annotations

import re
from pathlib import Path

from sqlmodel import SQLModel

import bot.teams.state_storage  # noqa: F401  (registers the bot_state table)
import communities.tables  # noqa: F401  (registers every domain table)
import scheduler.tables  # noqa: F401  (the timeline runs and APScheduler's job store)
from communities.subject_access.pupil_fields import PUPIL_LEVEL

INVENTORY = Path(__file__).resolve().parents[1] / "docs" / "data-inventory.md"


def rows() -> dict[str, list[str]]:
    """Each table's row of the inventory: its cells, by table name."""
    found: dict[str, list[str]] = {}
    for line in INVENTORY.read_text(encoding="utf-8").splitlines():
        if match := re.match(r"\| `([a-z_]+)` \|", line):
            found[match.group(1)] = [cell.strip() for cell in line.strip().strip("|").split("|")]
    return found


def test_every_table_is_in_the_inventory_and_nothing_else() -> None:
    tables = set(SQLModel.metadata.tables)
    described = set(rows())
    assert not tables - described, f"tables missing from docs/data-inventory.md: {sorted(tables - described)}"
    assert not described - tables, f"the inventory describes tables that do not exist: {described - tables}"


def test_every_row_says_what_why_who_how_long_and_which_fields_are_pupil_level() -> None:
    for table, cells in rows().items():
        assert len(cells) == 6 and all(cells), f"{table}: {cells}"


def test_the_pupil_level_fields_are_named_where_their_table_is_described() -> None:
    inventory = rows()
    for table, columns in PUPIL_LEVEL.items():
        for column in columns:
            assert f"`{column}`" in inventory[table][5], f"{table}.{column} is pupil-level: say so"


def test_it_says_what_is_not_stored_and_where_data_flows_out() -> None:
    text = INVENTORY.read_text(encoding="utf-8")
    assert "## What is not stored" in text and "## Where data flows out" in text
    for words in ("dates of birth", "unique pupil numbers", "No uploads", "Teams channel posts", "Logs"):
        assert words in text
