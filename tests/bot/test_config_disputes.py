"""The dispute route's windows come from DISPUTE_* settings, and wrong ones say what to fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, Settings
from communities.disputes.windows import DisputeWindows


def test_the_defaults_are_our_proposal(tmp_path: Path) -> None:
    windows = Settings.from_env({}, env_file=tmp_path / "none.env").disputes
    assert windows == DisputeWindows(20, 5, 20, 10, 2)


def test_the_windows_come_from_the_environment(tmp_path: Path) -> None:
    windows = Settings.from_env(
        {"DISPUTE_RAISE_DAYS": "15", "DISPUTE_ESCALATE_DAYS": "5", "DISPUTE_REMINDER_LEAD_DAYS": "0"},
        env_file=tmp_path / "none.env",
    ).disputes
    assert (windows.raise_days, windows.escalate_days, windows.reminder_lead_days) == (15, 5, 0)
    assert windows.acknowledge_days == 5


@pytest.mark.parametrize(
    ("environ", "words"),
    [
        ({"DISPUTE_RAISE_DAYS": "0"}, "raise_days must be one school day or more"),
        ({"DISPUTE_ACKNOWLEDGE_DAYS": "25"}, "the acknowledgement cannot be due after the decision"),
        ({"DISPUTE_DECIDE_DAYS": "-1"}, "DISPUTE_DECIDE_DAYS must be zero or more"),
    ],
)
def test_wrong_windows_say_what_to_fix(environ: dict[str, str], words: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=words):
        Settings.from_env(environ, env_file=tmp_path / "none.env")
