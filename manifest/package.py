"""Build the Teams app package (manifest.json + two icons, zipped) for the Communities of Schools bot.

``manifest.template.json`` holds the fixed parts of the manifest and ``${{NAME}}`` placeholders for the
deployment-specific ones (ids, version, URLs). :func:`render_manifest` checks the settings and fills the
placeholders, :func:`validate_manifest` checks a manifest against the official v1.22 schema vendored in
``schema/``, and :func:`build_package` writes the zip that is uploaded to Teams (Teams admin centre or
"Upload a custom app").

Command line::

    python -m manifest.package --bot-id <GUID> --version 1.0.0 --base-url https://cosbot.example.org \\
        --out build/cosbot-teams-app.zip
"""

from __future__ import annotations

import argparse
import json
import os
import re
import struct
import sys
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft4Validator

__all__ = [
    "MANIFEST_VERSION",
    "ManifestError",
    "ManifestSettings",
    "build_package",
    "main",
    "render_manifest",
    "validate_manifest",
]

MANIFEST_VERSION = "1.22"
TEMPLATE_NAME = "manifest.template.json"
SCHEMA_NAME = f"schema/MicrosoftTeams.schema.v{MANIFEST_VERSION}.json"
# Icon file name in the package -> required (width, height); names match the template's "icons".
ICONS: dict[str, tuple[int, int]] = {"color.png": (192, 192), "outline.png": (32, 32)}

_GUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
_SEMVER = re.compile(r"(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)")
_PLACEHOLDER = re.compile(r"\$\{\{([A-Z_]+)\}\}")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)  # fixed, so the same settings always give the same zip
_MAX_URL = 2048  # the schema's maxLength for URLs
_MAX_DEVELOPER_NAME = 32  # the schema's maxLength for developer.name


class ManifestError(ValueError):
    """The settings, template or icons cannot produce a manifest that Teams would accept."""


@dataclass(frozen=True)
class ManifestSettings:
    """What changes between deployments of the bot.

    ``bot_id`` is the Microsoft Entra application (client) id of the bot registration, ``version`` the app
    version Teams shows (raise it for every new upload), ``base_url`` the public https address of the bot
    service. ``app_id`` (the Teams app id) defaults to ``bot_id``; the developer URLs default to pages
    under ``base_url``.
    """

    bot_id: str
    version: str
    base_url: str
    app_id: str | None = None
    developer_name: str = "Kent County Council"
    website_url: str | None = None
    privacy_url: str | None = None
    terms_url: str | None = None
    #: The Entra app that calls Graph (``webApplicationInfo``: the app whose permission
    #: TeamsAppInstallation.ReadWriteSelfForUser.All lets the bot install itself for a person);
    #: defaults to ``bot_id``.
    graph_app_id: str | None = None


def _package_files() -> Traversable:
    return resources.files(__package__ or "manifest")


def _check_guid(field: str, value: str) -> str:
    value = value.strip()
    if not _GUID.fullmatch(value):
        raise ManifestError(
            f"{field} must be a GUID such as 00000000-0000-0000-0000-000000000000 "
            f"(the application (client) id from Microsoft Entra); got {value!r}."
        )
    return value


def _check_version(value: str) -> str:
    value = value.strip()
    if not _SEMVER.fullmatch(value):
        raise ManifestError(
            "version must be MAJOR.MINOR.PATCH with whole numbers only, such as 1.0.0 "
            f"(Teams expects plain semantic versions without suffixes); got {value!r}."
        )
    return value


def _check_https_url(field: str, value: str, *, base: bool = False) -> str:
    value = value.strip()
    what = "the public https:// address of the bot service" if base else "an https:// web address"
    if len(value) > _MAX_URL:
        raise ManifestError(f"{field} must be {what} of at most {_MAX_URL} characters; got {len(value)}.")
    if any(c.isspace() for c in value):
        raise ManifestError(f"{field} must be {what} without spaces; got {value!r}.")
    parts = urlsplit(value)
    if parts.scheme.lower() != "https":
        raise ManifestError(
            f"{field} must be {what}: Teams only accepts https:// URLs (deploy behind TLS); got {value!r}."
        )
    try:
        host, _port = parts.hostname, parts.port
    except ValueError as exc:
        raise ManifestError(f"{field} has an invalid port ({exc}); got {value!r}.") from None
    if not host or parts.username is not None or parts.password is not None:
        raise ManifestError(f"{field} must be {what} with a host name and no user name; got {value!r}.")
    if base and (parts.query or parts.fragment):
        raise ManifestError(f"{field} must not have a query (?...) or fragment (#...); got {value!r}.")
    return value


def render_manifest(settings: ManifestSettings) -> dict[str, Any]:
    """Check ``settings`` and return the manifest (a JSON-ready dict) with every placeholder filled.

    Raises :class:`ManifestError` with an explanation if a setting is unusable.
    """
    bot_id = _check_guid("bot_id", settings.bot_id)
    app_id = bot_id if settings.app_id is None else _check_guid("app_id", settings.app_id)
    version = _check_version(settings.version)
    base_url = _check_https_url("base_url", settings.base_url, base=True).rstrip("/")
    developer_name = settings.developer_name.strip()
    if not developer_name or len(developer_name) > _MAX_DEVELOPER_NAME:
        raise ManifestError(
            f"developer_name must be 1 to {_MAX_DEVELOPER_NAME} characters; got {settings.developer_name!r}."
        )

    def url(field: str, value: str | None, default: str) -> str:
        return _check_https_url(field, default if value is None else value)

    values = {
        "APP_ID": app_id,
        "BOT_ID": bot_id,
        "APP_VERSION": version,
        "DEVELOPER_NAME": developer_name,
        "WEBSITE_URL": url("website_url", settings.website_url, base_url + "/"),
        "PRIVACY_URL": url("privacy_url", settings.privacy_url, base_url + "/privacy"),
        "TERMS_URL": url("terms_url", settings.terms_url, base_url + "/terms"),
        "BOT_DOMAIN": (urlsplit(base_url).hostname or "").lower(),
        "GRAPH_APP_ID": bot_id
        if settings.graph_app_id is None
        else _check_guid("graph_app_id", settings.graph_app_id),
    }
    template = json.loads(_package_files().joinpath(TEMPLATE_NAME).read_text(encoding="utf-8"))
    filled = _fill(template, values)
    if not isinstance(filled, dict):
        raise ManifestError(f"{TEMPLATE_NAME} must contain a JSON object.")
    return filled


def _fill(node: Any, values: dict[str, str]) -> Any:
    """Replace ``${{NAME}}`` in every string of a parsed JSON document (so values need no JSON escaping)."""
    if isinstance(node, dict):
        return {key: _fill(value, values) for key, value in node.items()}
    if isinstance(node, list):
        return [_fill(item, values) for item in node]
    if isinstance(node, str):

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in values:
                raise ManifestError(f"{TEMPLATE_NAME} uses an unknown placeholder ${{{{{name}}}}}.")
            return values[name]

        return _PLACEHOLDER.sub(replace, node)
    return node


@cache
def _validator() -> Draft4Validator:
    schema = json.loads(_package_files().joinpath(SCHEMA_NAME).read_text(encoding="utf-8"))
    # The schema declares draft-04 but uses the draft-06 keyword "const" (manifestVersion must be "1.22"),
    # which draft-04 validators ignore; rewrite it as the equivalent one-value "enum" so it is enforced.
    return Draft4Validator(_const_to_enum(schema))


def _const_to_enum(node: Any) -> Any:
    if isinstance(node, list):
        return [_const_to_enum(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _const_to_enum(value) for key, value in node.items()}
    # A dict under "const" would be a subschema (a property named "const"), not a constant: leave it.
    if "const" in converted and "enum" not in converted and not isinstance(converted["const"], dict):
        converted["enum"] = [converted.pop("const")]
    return converted


def validate_manifest(manifest: dict[str, Any]) -> list[str]:
    """Check ``manifest`` against the official Teams v1.22 manifest schema, offline.

    Returns one readable line per problem, e.g. ``"name.short: 'x...' is too long"``; empty means valid.
    """
    problems = []
    for error in _validator().iter_errors(manifest):
        path = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in error.absolute_path)
        message = error.message if len(error.message) <= 300 else error.message[:297] + "..."
        problems.append(f"{path.lstrip('.') or '(manifest)'}: {message}")
    return sorted(problems)


def _png_size(name: str, data: bytes) -> tuple[int, int]:
    # A PNG starts with the signature and then the IHDR chunk: length, b"IHDR", width, height (big-endian).
    if len(data) < 24 or not data.startswith(_PNG_SIGNATURE) or data[12:16] != b"IHDR":
        raise ManifestError(f"Icon {name} is not a PNG file.")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def build_package(settings: ManifestSettings, out: Path) -> Path:
    """Write the Teams app package to ``out`` and return ``out``.

    The zip holds ``manifest.json``, ``color.png`` and ``outline.png`` at its root, as Teams requires.
    Parent directories are created; an existing file is replaced. Raises :class:`ManifestError` if the
    settings are unusable or the result would not pass the manifest schema.
    """
    manifest = render_manifest(settings)
    problems = validate_manifest(manifest)
    if problems:
        raise ManifestError("The manifest does not match the Teams v1.22 schema:\n  " + "\n  ".join(problems))
    icon_names = {manifest["icons"]["color"], manifest["icons"]["outline"]}
    if icon_names != set(ICONS):
        raise ManifestError(f"The manifest's icons must be {sorted(ICONS)}; it names {sorted(icon_names)}.")

    files = {"manifest.json": (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")}
    for name, size in ICONS.items():
        data = _package_files().joinpath(name).read_bytes()
        if _png_size(name, data) != size:
            raise ManifestError(f"Icon {name} must be {size[0]}x{size[1]} pixels.")
        files[name] = data

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, data in files.items():
                info = zipfile.ZipInfo(name, date_time=_ZIP_TIMESTAMP)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, data)
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m manifest.package``: build the app package; exit status 2 with a message on bad input."""
    parser = argparse.ArgumentParser(
        prog="python -m manifest.package", description="Build the Teams app package (zip) for cosbot."
    )
    parser.add_argument(
        "--bot-id",
        default=os.environ.get("APP_ID"),
        help="Entra application (client) id of the bot (default: $APP_ID)",
    )
    parser.add_argument("--version", required=True, help="app version, MAJOR.MINOR.PATCH, e.g. 1.0.0")
    parser.add_argument("--base-url", required=True, help="public https URL of the bot service")
    parser.add_argument("--app-id", help="Teams app id GUID (default: the bot id)")
    parser.add_argument("--developer-name", default=ManifestSettings.developer_name)
    parser.add_argument("--website-url", help="default: <base-url>/")
    parser.add_argument("--privacy-url", help="default: <base-url>/privacy")
    parser.add_argument("--terms-url", help="default: <base-url>/terms")
    parser.add_argument("--out", type=Path, default=Path("build/cosbot-teams-app.zip"))
    args = parser.parse_args(argv)
    if not args.bot_id:
        parser.error("give --bot-id or set APP_ID")
    settings = ManifestSettings(
        bot_id=args.bot_id,
        version=args.version,
        base_url=args.base_url,
        app_id=args.app_id,
        developer_name=args.developer_name,
        website_url=args.website_url,
        privacy_url=args.privacy_url,
        terms_url=args.terms_url,
    )
    try:
        path = build_package(settings, args.out)
    except ManifestError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    sys.stdout.write(f"{path}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
