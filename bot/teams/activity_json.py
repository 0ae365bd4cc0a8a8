"""Activities to and from JSON, without msrest's generic (de)serializer.

msrest walks every value of a reply through its type-directed serializer, Adaptive Card
bodies included (about 1.5 ms a card on the benchmark's turns). Activities are plain
trees of msrest models, dicts, lists and scalars, so the model's attribute map is all
that is needed: the same keys, the same omission of unset fields. A model this does
not know how to write (one with readonly fields or flattened keys) goes to msrest.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from enum import Enum
from typing import Any

from botbuilder.schema import Activity, Attachment, ChannelAccount, ConversationAccount, Entity
from isodate.isotzinfo import build_tzinfo  # type: ignore[import-untyped]
from msrest.serialization import Model, Serializer


def activity_json(activity: Model) -> dict[str, Any]:
    """The activity as the Bot Connector's JSON (what ``activity.serialize()`` gives)."""
    return _model(activity)


def _model(model: Model) -> dict[str, Any]:
    attribute_map: dict[str, dict[str, str]] = type(model)._attribute_map
    if _needs_msrest(type(model)):
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


def activity_json_text(activity: Model) -> str:
    """``json.dumps(activity_json(activity))``, compact, in one pass.

    The Adaptive Card dicts a reply carries are left to the json module's C encoder rather
    than copied value by value first; only the msrest models (and enums, datetimes) inside
    are turned into dicts, by ``default`` as the encoder meets them.
    """
    return json.dumps(activity, separators=(",", ":"), default=_default)


def _default(value: Any) -> Any:
    """What :func:`_value` makes of a value the json module cannot write itself."""
    if isinstance(value, Model):
        model_type = type(value)
        attribute_map: dict[str, dict[str, str]] = model_type._attribute_map
        if _needs_msrest(model_type):
            return value.serialize()  # type: ignore[no-untyped-call]
        out = {
            spec["key"]: item
            for name, spec in attribute_map.items()
            if (item := getattr(value, name, None)) is not None
        }
        extra = getattr(value, "additional_properties", None)
        if extra:
            out.update(extra)
        return out
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return Serializer.serialize_iso(value)  # type: ignore[no-untyped-call]
    raise TypeError(f"{type(value).__name__} is not JSON")


def _needs_msrest(model_type: type[Model]) -> bool:
    """Readonly fields (``_validation``) and flattened keys (``a.b``) are msrest's to handle."""
    needs = _NEEDS_MSREST.get(model_type)
    if needs is None:
        needs = bool(getattr(model_type, "_validation", None)) or any(
            "." in s["key"] for s in model_type._attribute_map.values()
        )
        _NEEDS_MSREST[model_type] = needs
    return needs


_NEEDS_MSREST: dict[type[Model], bool] = {}


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


# Incoming activities -------------------------------------------------------------------------
#
# msrest's ``Activity().deserialize(body)`` walks the body through its type-directed
# deserializer (about 0.25 ms a turn). The shape Teams sends is small: strings, booleans,
# timestamps, free JSON (``channelData``, ``value``), accounts and lists of accounts,
# attachments and entities. ``activity_from_json`` builds those directly, and gives the body to
# msrest whenever anything is off that shape (a value of another type, a timestamp in another
# form, a field this table does not list), so msrest decides every unusual or malformed body.

_STR, _BOOL, _TIME, _OBJECT = "str", "bool", "iso-8601", "object"
_TIMESTAMP = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|([+-])(\d\d):(\d\d))")
_ZONES: dict[str, Any] = {}


class _OffShape(Exception):
    """The body is not of the common shape: msrest reads it."""


def activity_from_json(body: dict[str, Any]) -> Activity:
    """The Activity msrest's ``Activity().deserialize(body)`` gives (its errors, too)."""
    try:
        return _read(Activity, body)
    except Exception:  # noqa: BLE001 - anything unusual is msrest's to read, or to refuse
        activity: Activity = Activity().deserialize(body)
        return activity


def _fields(model_type: type[Model]) -> dict[str, tuple[str, str]]:
    """The wire key -> (attribute, type) of the models read here."""
    return {spec["key"]: (name, spec["type"]) for name, spec in model_type._attribute_map.items()}


_MODELS: dict[str, type[Model]] = {
    "ChannelAccount": ChannelAccount,
    "ConversationAccount": ConversationAccount,
    "Attachment": Attachment,
    "Entity": Entity,
}
_READERS: dict[type[Model], dict[str, tuple[str, str]]] = {
    model_type: _fields(model_type) for model_type in (Activity, *_MODELS.values())
}


def _read(model_type: type[Model], data: Any) -> Any:
    if type(data) is not dict:
        raise _OffShape
    fields = _READERS[model_type]
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, raw in data.items():
        field = fields.get(key)
        if field is None:
            extra[key] = raw  # msrest keeps unknown keys, as they came, in additional_properties
            continue
        if raw is None:
            continue
        name, kind = field
        values[name] = _read_value(kind, raw)
    model = model_type(**values)
    if extra:
        model.additional_properties = extra
    return model


def _read_value(kind: str, raw: Any) -> Any:
    if kind == _STR:
        if type(raw) is not str:
            raise _OffShape
        return raw
    if kind == _OBJECT:
        return _json(raw)
    if kind == _BOOL:
        if type(raw) is not bool:
            raise _OffShape
        return raw
    if kind == _TIME:
        return _timestamp(raw)
    if kind.startswith("["):
        if type(raw) is not list:
            raise _OffShape
        item_kind = kind[1:-1]
        return [None if item is None else _read_value(item_kind, item) for item in raw]
    model_type = _MODELS.get(kind)
    if model_type is None:
        raise _OffShape
    return _read(model_type, raw)


def _json(raw: Any) -> Any:
    """Free JSON as msrest gives it: a copy of every dict and list."""
    kind = type(raw)
    if kind is dict:
        return {key: _json(value) for key, value in raw.items()}
    if kind is list:
        return [_json(value) for value in raw]
    if kind is str or kind is bool or kind is int or kind is float or raw is None:
        return raw
    raise _OffShape


def _timestamp(raw: Any) -> datetime:
    """As msrest (isodate): fractions past microseconds cut off, "Z" as isodate's UTC."""
    match = _TIMESTAMP.fullmatch(raw) if type(raw) is str else None
    if match is None:
        raise _OffShape
    year, month, day, hour, minute, second, fraction, zone, sign, zone_hours, zone_minutes = match.groups()
    tzinfo = _ZONES.get(zone)
    if tzinfo is None:
        if zone == "Z":
            tzinfo = build_tzinfo("Z")
        else:
            tzinfo = build_tzinfo(zone, sign, int(zone_hours), int(zone_minutes))
        _ZONES[zone] = tzinfo
    micro = int(fraction[:6].ljust(6, "0")) if fraction else 0
    value = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), micro, tzinfo)
    if not 1 <= value.utctimetuple().tm_year <= 9999:
        raise _OffShape
    return value
