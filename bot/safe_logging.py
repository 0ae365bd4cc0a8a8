"""Describing errors for the log without their messages.

An exception's message can quote the input that caused it, and input here may be
a child's SEND detail. The log gets the exception's type and where it was raised.
"""

from __future__ import annotations

import traceback


def describe(error: BaseException) -> str:
    frames = traceback.extract_tb(error.__traceback__)
    where = " <- ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} {f.name}" for f in reversed(frames[-6:]))
    causes: list[str] = []
    cause = error.__cause__ or error.__context__
    while cause is not None and len(causes) < 3:
        causes.append(type(cause).__name__)
        cause = cause.__cause__ or cause.__context__
    text = f"{type(error).__module__}.{type(error).__qualname__} at {where or 'unknown'}"
    return text + (f" (caused by {', '.join(causes)})" if causes else "")
