"""The rooms and the arrows between them (README, Architecture), read from the source.

Every import of every product module is read (module level and inside functions), so a new
module that points up, or a botbuilder import outside the Teams edge and the chat, fails here.
Sizes are kept too: modules of one concept, folders a reader can take in at a glance.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "dialogs", "scheduler", "cards", "communities", "manifest")
#: Which of our packages each may import (besides itself).
MAY_IMPORT = {
    "bot": {"dialogs", "scheduler", "cards", "communities", "manifest"},
    "dialogs": {"cards", "communities"},
    "scheduler": {"cards", "communities"},
    "cards": {"communities"},
    "communities": set(),
    "manifest": set(),
}
#: The Bot Framework SDK: only the Teams edge and the chat (a move to the Agents SDK touches only those).
BOT_FRAMEWORK = ("botbuilder", "botframework", "msrest")
#: Third-party libraries the domain must not know: the SDKs, the web server, Graph, the scheduler.
NOT_IN_THE_DOMAIN = (*BOT_FRAMEWORK, "aiohttp", "msgraph", "kiota_abstractions", "azure", "apscheduler")
MAX_LINES = 400
MAX_MODULES_IN_A_FOLDER = 15


def product_modules() -> list[Path]:
    return sorted(
        path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.relative_to(ROOT).parts
    )


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
        elif isinstance(node, ast.ImportFrom) and node.level:
            names.add(path.relative_to(ROOT).parts[0])  # relative: within its own package
    return names


def top(name: str) -> str:
    return name.split(".")[0]


@pytest.mark.parametrize("path", product_modules(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_imports_point_down(path: Path) -> None:
    package = path.relative_to(ROOT).parts[0]
    ours = {top(name) for name in imported(path) if top(name) in PACKAGES} - {package}
    assert ours <= MAY_IMPORT[package], f"{package} may not import {sorted(ours - MAY_IMPORT[package])}"


@pytest.mark.parametrize("path", product_modules(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_the_sdks_stay_at_the_edges(path: Path) -> None:
    package = path.relative_to(ROOT).parts[0]
    libraries = {top(name) for name in imported(path)}
    if package == "communities":
        assert not libraries & set(NOT_IN_THE_DOMAIN), sorted(libraries & set(NOT_IN_THE_DOMAIN))
    if package not in ("bot", "dialogs"):
        assert not libraries & set(BOT_FRAMEWORK), sorted(libraries & set(BOT_FRAMEWORK))


def test_modules_hold_one_concept() -> None:
    long = {
        path.relative_to(ROOT).as_posix(): lines
        for path in product_modules()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def test_folders_stay_small() -> None:
    crowded = {
        folder.relative_to(ROOT).as_posix(): count
        for folder in {path.parent for path in product_modules()}
        if (count := len(list(folder.glob("*.py")))) > MAX_MODULES_IN_A_FOLDER
    }
    assert not crowded, f"folders with more than {MAX_MODULES_IN_A_FOLDER} modules: {crowded}"


def test_the_rules_see_the_whole_tree() -> None:
    """The checks above read real code: every package is there, and the arrows catch a stray import."""
    found = {path.relative_to(ROOT).parts[0] for path in product_modules()}
    assert found == set(PACKAGES)
    assert "botbuilder.core" in imported(ROOT / "bot" / "teams" / "handler.py")
    assert "communities" in {top(name) for name in imported(ROOT / "cards" / "agenda_cards.py")}
