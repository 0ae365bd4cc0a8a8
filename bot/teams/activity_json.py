"""Outgoing activities as JSON, without msrest's generic serializer.

msrest walks every value of a reply through its type-directed serializer, Adaptive Card
bodies included (about 1.5 ms a card on the benchmark's turns). Activities are plain
trees of msrest models, dicts, lists and scalars, so the model's attribute map is all
that is needed: the same keys, the same omission of unset fields. A model this does
not know how to write (one with readonly fields or flattened keys) goes to msrest.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

from msrest.serialization import Model, Serializer


def activity_json(activity: Model) -> dict[str, Any]:
    """The activity as the Bot Connector's JSON (what ``activity.serialize()`` gives)."""
    return _model(activity)


def _model(model: Model) -> dict[str, Any]:
    attribute_map: dict[str, dict[str, str]] = type(model)._attribute_map
    if _needs_msrest(type(model), attribute_map):
        serialized: dict[str, Any] = model.serialize()  # type: ignore[no-untyped-call]
        return serialized
    out: dict[str, Any] = {}
    for name, spec in attribute_map.items():
        value = getattr(model, name, None)
        if value is not None:
            out[spec["key"]] = _value(value)
    extra = getattr(model, "additional_properties", None)
    if extra:
        out.update({key: _value(value) for key, value in extra.items()})
    return out


def _needs_msrest(model_type: type[Model], attribute_map: dict[str, dict[str, str]]) -> bool:
    """Readonly fields (``_validation``) and flattened keys (``a.b``) are msrest's to handle."""
    return bool(getattr(model_type, "_validation", None)) or any(
        "." in s["key"] for s in attribute_map.values()
    )


def _value(value: Any) -> Any:
    if isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, Model):
        return _model(value)
    if isinstance(value, dict):
        return {key: _value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_value(item) for item in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return Serializer.serialize_iso(value)  # type: ignore[no-untyped-call]
    return value
