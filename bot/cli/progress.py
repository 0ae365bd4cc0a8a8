"""Progress bars on stderr for long imports (tqdm; hidden when stderr is not a terminal)."""

from __future__ import annotations

from types import TracebackType
from typing import Any

from tqdm import tqdm

#: Files shorter than this finish before a bar is worth drawing.
MIN_ROWS_FOR_BAR = 500


class ProgressBars:
    def __init__(self) -> None:
        self._bars: dict[str, Any] = {}

    def update(self, name: str, done: int, total: int) -> None:
        if total < MIN_ROWS_FOR_BAR:
            return
        if name not in self._bars:
            self._bars[name] = tqdm(total=total, desc=name, unit="row", leave=False, disable=None)
        bar = self._bars[name]
        bar.update(done - bar.n)

    def __enter__(self) -> ProgressBars:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        for bar in self._bars.values():
            bar.close()
