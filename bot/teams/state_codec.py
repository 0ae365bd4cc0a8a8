"""The bot state's codec: plain JSON that a person can read, for the few botbuilder objects it holds.

Conversation state is a dict of plain values and a handful of botbuilder objects: the dialog
stack (``DialogState`` of ``DialogInstance``), a prompt's ``PromptOptions`` with its ``Activity``
and ``Choice`` list, and the ``ListStyle`` of a choice prompt. Plain values (dicts with string
keys, lists, str, int, float, bool, None) are written as they are; each object becomes a dict
tagged with its type, e.g. ``{"$type": "DialogInstance", "id": "steps", "state": {...}}``.
Activities and the other Bot Framework schema models go through msrest's own
``serialize``/``deserialize`` (the Bot Framework JSON of an activity).

An object of any other type is refused when the state is written, naming the type: add it
here (with a round-trip test) rather than let it be stringified. A plain dict that happens to
have a ``"$type"`` (or jsonpickle's ``"py/object"``) key is wrapped
(``{"$type": "dict", "value": {...}}``) so it reads back as it was.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import date, datetime
from enum import Enum
from typing import Any

import botbuilder.schema as schema
from botbuilder.dialogs import DialogInstance, DialogState
from botbuilder.dialogs.choices import Choice, ListStyle
from botbuilder.dialogs.prompts import PromptOptions
from msrest.serialization import Model

TAG = "$type"
#: jsonpickle's mark of an object (the format before this codec): never read as a plain dict.
JSONPICKLE_OBJECT = "py/object"


class StateCodecError(TypeError):
    """The bot state holds something this codec does not know, or a stored row is not its JSON."""


# ---- the objects with attributes: tag -> (class, [(JSON name, attribute)]) --------------------

_RECORDS: dict[str, tuple[type, tuple[tuple[str, str], ...]]] = {
    "DialogState": (DialogState, (("dialogStack", "_dialog_stack"),)),
    "DialogInstance": (DialogInstance, (("id", "id"), ("state", "state"))),
    "PromptOptions": (
        PromptOptions,
        (
            ("prompt", "prompt"),
            ("retryPrompt", "retry_prompt"),
            ("choices", "choices"),
            ("style", "style"),
            ("validations", "validations"),
            ("numberOfAttempts", "number_of_attempts"),
        ),
    ),
    "Choice": (Choice, (("value", "value"), ("action", "action"), ("synonyms", "synonyms"))),
}
_RECORD_TAGS: dict[type, str] = {cls: tag for tag, (cls, _) in _RECORDS.items()}

#: Enums kept by value: tag -> class.
_ENUMS: dict[str, type[Enum]] = {"ListStyle": ListStyle}
_ENUM_TAGS: dict[type, str] = {cls: tag for tag, cls in _ENUMS.items()}


def encode(value: Any) -> str:
    """The state as a JSON text; :class:`StateCodecError` if it holds an object of an unknown type."""
    return json.dumps(to_plain(value), ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def decode(text: str) -> Any:
    """The state written by :func:`encode`; :class:`StateCodecError` if ``text`` is not such JSON."""
    try:
        plain = json.loads(text)
    except ValueError as error:
        raise StateCodecError(f"bot state is not JSON: {error}") from None
    return from_plain(plain)


# ---- encoding -------------------------------------------------------------------------------


def to_plain(value: Any) -> Any:
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is dict:
        return _dict_to_plain(value)
    if kind is list:
        return [to_plain(item) for item in value]
    if kind is float:
        if not math.isfinite(value):
            raise StateCodecError(f"bot state cannot hold the number {value!r}")
        return value
    record = _RECORD_TAGS.get(kind)
    if record is not None:
        return _record_to_plain(record, value)
    enum = _ENUM_TAGS.get(kind)
    if enum is not None:
        return {TAG: enum, "value": value.value}
    if isinstance(value, Model) and getattr(schema, kind.__name__, None) is kind:
        # msrest's own serialization; walked again so a "$type" key inside (card content) is kept
        fields = value.serialize(keep_readonly=True)  # type: ignore[no-untyped-call]
        return {TAG: kind.__name__, **_dict_to_plain(fields)}
    if kind is datetime:
        return {TAG: "datetime", "value": value.isoformat()}
    if kind is date:
        return {TAG: "date", "value": value.isoformat()}
    if kind is tuple:
        return {TAG: "tuple", "items": [to_plain(item) for item in value]}
    raise StateCodecError(
        f"bot state cannot hold a {kind.__module__}.{kind.__qualname__}: keep plain values "
        "(dict, list, str, int, float, bool, None) in dialog state, "
        "or teach bot/teams/state_codec.py the type"
    )


def _dict_to_plain(value: dict[Any, Any]) -> dict[str, Any]:
    plain: dict[str, Any] = {}
    for key, item in value.items():
        if type(key) is not str:
            raise StateCodecError(f"bot state keys must be strings, not {type(key).__qualname__} ({key!r})")
        plain[key] = to_plain(item)
    if TAG in plain or JSONPICKLE_OBJECT in plain:
        return {TAG: "dict", "value": plain}
    return plain


def _record_to_plain(tag: str, value: Any) -> dict[str, Any]:
    plain: dict[str, Any] = {TAG: tag}
    for name, attribute in _RECORDS[tag][1]:
        item = getattr(value, attribute)
        if item is not None:
            plain[name] = to_plain(item)
    return plain


# ---- decoding -------------------------------------------------------------------------------


def from_plain(plain: Any) -> Any:
    kind = type(plain)
    if kind is list:
        return [from_plain(item) for item in plain]
    if kind is not dict:
        return plain
    tag = plain.get(TAG)
    if tag is None:
        if JSONPICKLE_OBJECT in plain:
            raise StateCodecError(
                f"bot state written by jsonpickle ({plain[JSONPICKLE_OBJECT]}), not this codec"
            )
        return {key: from_plain(item) for key, item in plain.items()}
    if type(tag) is not str:
        raise StateCodecError(f"bot state has a {TAG} that is not a name: {tag!r}")
    if tag in _RECORDS:
        cls, fields = _RECORDS[tag]
        obj: Any = object.__new__(cls)
        for name, attribute in fields:
            setattr(obj, attribute, from_plain(plain.get(name)))
        return obj
    decode_tagged = _TAGGED.get(tag)
    if decode_tagged is not None:
        return decode_tagged(plain)
    model = getattr(schema, tag, None)
    if isinstance(model, type) and issubclass(model, Model):
        fields = from_plain({key: item for key, item in plain.items() if key != TAG})
        return model.deserialize(fields)  # type: ignore[no-untyped-call]
    raise StateCodecError(f"bot state has an object of an unknown type {tag!r}")


def _enum(tag: str) -> Callable[[dict[str, Any]], Any]:
    return lambda plain: _ENUMS[tag](plain["value"])


_TAGGED: dict[str, Callable[[dict[str, Any]], Any]] = {
    "dict": lambda plain: {key: from_plain(item) for key, item in plain["value"].items()},
    "datetime": lambda plain: datetime.fromisoformat(plain["value"]),
    "date": lambda plain: date.fromisoformat(plain["value"]),
    "tuple": lambda plain: tuple(from_plain(item) for item in plain["items"]),
    **{tag: _enum(tag) for tag in _ENUMS},
}
