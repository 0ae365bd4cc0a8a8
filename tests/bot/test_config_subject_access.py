"""SAR_INCLUDE_PUPIL_DETAIL: a subject access export leaves pupil detail out unless it is set to yes."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Settings


@pytest.mark.parametrize(
    ("given", "included"),
    [(None, False), ("", False), ("false", False), ("no", False), ("true", True), ("1", True), ("yes", True)],
)
def test_pupil_detail_is_left_out_unless_the_setting_says_so(
    tmp_path: Path, given: str | None, included: bool
) -> None:
    environ = {} if given is None else {"SAR_INCLUDE_PUPIL_DETAIL": given}
    assert Settings.from_env(environ, env_file=tmp_path / "none.env").sar_include_pupil_detail is included
