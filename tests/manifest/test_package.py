"""Tests for the Teams app package: manifest rendering, schema validation, icons and the zip."""

from __future__ import annotations

import copy
import hashlib
import io
import json
import re
import socket
import zipfile
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from manifest import package
from manifest.package import (
    ManifestError,
    ManifestSettings,
    build_package,
    main,
    render_manifest,
    validate_manifest,
)

BOT_ID = "0f8fad5b-d9cb-469f-a165-70867728950e"
APP_ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
BASE_URL = "https://cosbot.example.org"
MANIFEST_DIR = Path(package.__file__).parent
SCHEMA_PATH = MANIFEST_DIR / "schema" / "MicrosoftTeams.schema.v1.22.json"


@pytest.fixture
def settings() -> ManifestSettings:
    return ManifestSettings(bot_id=BOT_ID, version="1.4.2", base_url=BASE_URL)


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the manifest code tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.fixture
def built(settings: ManifestSettings, tmp_path: Path) -> zipfile.ZipFile:
    out = build_package(settings, tmp_path / "nested" / "dir" / "app.zip")
    return zipfile.ZipFile(out)


def _manifest_in(archive: zipfile.ZipFile) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(archive.read("manifest.json").decode("utf-8"))
    return data


def _image_in(archive: zipfile.ZipFile, name: str) -> Image.Image:
    image = Image.open(io.BytesIO(archive.read(name)))
    assert image.format == "PNG"
    return image


def _rgba_pixels(image: Image.Image) -> list[tuple[int, int, int, int]]:
    data = image.convert("RGBA").tobytes()
    return [(data[i], data[i + 1], data[i + 2], data[i + 3]) for i in range(0, len(data), 4)]


# --- the package ------------------------------------------------------------------------------------------


def test_build_package_returns_out_and_creates_parent_dirs(
    settings: ManifestSettings, tmp_path: Path
) -> None:
    out = tmp_path / "a" / "b" / "cosbot.zip"
    assert build_package(settings, out) == out
    assert out.is_file()
    assert not list(out.parent.glob("*.partial"))


def test_zip_holds_exactly_manifest_and_icons_at_root(built: zipfile.ZipFile) -> None:
    assert sorted(built.namelist()) == ["color.png", "manifest.json", "outline.png"]
    assert built.testzip() is None


def test_zipped_manifest_is_the_rendered_one_and_names_the_zipped_icons(
    built: zipfile.ZipFile, settings: ManifestSettings
) -> None:
    manifest = _manifest_in(built)
    assert manifest == render_manifest(settings)
    assert {manifest["icons"]["color"], manifest["icons"]["outline"]} == {"color.png", "outline.png"}


def test_zipped_icons_are_the_committed_files(built: zipfile.ZipFile) -> None:
    for name in ("color.png", "outline.png"):
        assert built.read(name) == (MANIFEST_DIR / name).read_bytes()


def test_same_settings_give_byte_identical_zips(settings: ManifestSettings, tmp_path: Path) -> None:
    first = build_package(settings, tmp_path / "1.zip").read_bytes()
    second = build_package(settings, tmp_path / "2.zip").read_bytes()
    assert first == second


def test_build_package_overwrites_an_existing_file(settings: ManifestSettings, tmp_path: Path) -> None:
    out = tmp_path / "app.zip"
    out.write_bytes(b"old")
    build_package(settings, out)
    assert zipfile.is_zipfile(out)


def test_build_package_refuses_a_manifest_the_schema_rejects(
    settings: ManifestSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = render_manifest(settings)
    broken["name"]["short"] = "x" * 31
    monkeypatch.setattr(package, "render_manifest", lambda _settings: broken)
    out = tmp_path / "app.zip"
    with pytest.raises(ManifestError, match=r"(?s)v1\.22 schema:.*name\.short: .* is too long"):
        build_package(settings, out)
    assert not out.exists()


# --- schema validation ------------------------------------------------------------------------------------


def test_manifest_is_valid_against_the_v122_schema_offline(
    settings: ManifestSettings, no_network: None
) -> None:
    package._validator.cache_clear()  # load the schema while the network is blocked
    manifest = render_manifest(settings)
    assert (
        manifest["$schema"]
        == "https://developer.microsoft.com/json-schemas/teams/v1.22/MicrosoftTeams.schema.json"
    )
    assert manifest["manifestVersion"] == "1.22"
    assert validate_manifest(manifest) == []


def test_vendored_schema_is_the_official_unmodified_file() -> None:
    readme = (SCHEMA_PATH.parent / "README.md").read_text(encoding="utf-8")
    recorded = re.search(r"sha256: ([0-9a-f]{64})", readme)
    assert recorded is not None
    assert hashlib.sha256(SCHEMA_PATH.read_bytes()).hexdigest() == recorded.group(1)
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    assert schema["properties"]["manifestVersion"]["const"] == "1.22"


def _break_short_name(m: dict[str, Any]) -> None:
    m["name"]["short"] = "x" * 31


def _break_bot_id(m: dict[str, Any]) -> None:
    m["bots"][0]["botId"] = "not-a-guid"


def _break_scope(m: dict[str, Any]) -> None:
    m["bots"][0]["scopes"] = ["personal", "everywhere"]


def _break_manifest_version(m: dict[str, Any]) -> None:
    m["manifestVersion"] = "1.17"


def _drop_privacy_url(m: dict[str, Any]) -> None:
    del m["developer"]["privacyUrl"]


def _break_accent_color(m: dict[str, Any]) -> None:
    m["accentColor"] = "teal"


def _add_unknown_field(m: dict[str, Any]) -> None:
    m["bots"][0]["supportsTelepathy"] = True


@pytest.mark.parametrize(
    ("breaker", "where"),
    [
        (_break_short_name, "name.short"),
        (_break_bot_id, "bots[0].botId"),
        (_break_scope, "bots[0].scopes[1]"),
        (_break_manifest_version, "manifestVersion"),
        (_drop_privacy_url, "developer"),
        (_break_accent_color, "accentColor"),
        (_add_unknown_field, "bots[0]"),
    ],
)
def test_validate_manifest_reports_a_broken_manifest(
    settings: ManifestSettings, breaker: Any, where: str
) -> None:
    manifest = copy.deepcopy(render_manifest(settings))
    breaker(manifest)
    problems = validate_manifest(manifest)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{where}: ")


def test_31_char_short_name_message_is_readable(settings: ManifestSettings) -> None:
    manifest = render_manifest(settings)
    manifest["name"]["short"] = "Kent Communities of Schools bot"  # 31 characters
    assert validate_manifest(manifest) == ["name.short: 'Kent Communities of Schools bot' is too long"]


# --- filled-in values -------------------------------------------------------------------------------------


def test_ids_version_and_urls_are_filled_in(built: zipfile.ZipFile) -> None:
    manifest = _manifest_in(built)
    assert manifest["id"] == BOT_ID  # the Teams app id defaults to the bot id
    assert manifest["bots"][0]["botId"] == BOT_ID
    assert manifest["version"] == "1.4.2"
    assert manifest["developer"] == {
        "name": "Kent County Council",
        "websiteUrl": "https://cosbot.example.org/",
        "privacyUrl": "https://cosbot.example.org/privacy",
        "termsOfUseUrl": "https://cosbot.example.org/terms",
    }
    assert manifest["validDomains"] == ["cosbot.example.org"]
    assert "${{" not in built.read("manifest.json").decode("utf-8")


def test_explicit_settings_override_the_defaults() -> None:
    manifest = render_manifest(
        ManifestSettings(
            bot_id=BOT_ID,
            version="2.0.10",
            base_url="https://Bots.Kent.gov.uk:8443/cosbot/",
            app_id=APP_ID,
            developer_name="KCC Education",
            website_url="https://www.kent.gov.uk/education",
            privacy_url="https://www.kent.gov.uk/privacy?app=cosbot",
            terms_url="https://www.kent.gov.uk/terms",
        )
    )
    assert manifest["id"] == APP_ID
    assert manifest["bots"][0]["botId"] == BOT_ID
    assert manifest["version"] == "2.0.10"
    assert manifest["developer"] == {
        "name": "KCC Education",
        "websiteUrl": "https://www.kent.gov.uk/education",
        "privacyUrl": "https://www.kent.gov.uk/privacy?app=cosbot",
        "termsOfUseUrl": "https://www.kent.gov.uk/terms",
    }
    assert manifest["validDomains"] == ["bots.kent.gov.uk"]
    assert validate_manifest(manifest) == []


def test_default_urls_keep_the_base_path() -> None:
    manifest = render_manifest(ManifestSettings(bot_id=BOT_ID, version="1.0.0", base_url=BASE_URL + "/cos/"))
    assert manifest["developer"]["websiteUrl"] == "https://cosbot.example.org/cos/"
    assert manifest["developer"]["privacyUrl"] == "https://cosbot.example.org/cos/privacy"
    assert manifest["developer"]["termsOfUseUrl"] == "https://cosbot.example.org/cos/terms"


def test_bot_scopes_commands_and_texts(settings: ManifestSettings) -> None:
    manifest = render_manifest(settings)
    (bot,) = manifest["bots"]
    assert sorted(bot["scopes"]) == ["personal", "team"]
    assert bot["supportsFiles"] is False
    assert bot["isNotificationOnly"] is False
    commands = {
        tuple(command_list["scopes"]): [(c["title"], c["description"]) for c in command_list["commands"]]
        for command_list in bot["commandLists"]
    }
    assert commands == {
        ("personal",): [
            ("help", "Show what I can do"),
            ("request", "Raise a request to your community (or continue your draft)"),
            ("continue", "Carry on with your draft request"),
            ("requests", "Your school's requests and where each one is"),
            ("declare", "Your declarations of interest: declare, update or confirm"),
            ("queue", "Chairs: the requests waiting for your decision"),
            ("agenda", "Chairs: review and publish the next meeting's agenda"),
            ("meetings", "Your community's meetings: add, move or cancel"),
            ("broadcast", "Officers: send the meeting dates to every community channel"),
            ("find", "Find a community: its schools, chair and channel"),
        ],
        ("team",): [
            ("link", "Make this channel a community's channel: link <CODE>"),
            ("unlink", "Stop using this channel as the community's channel"),
            ("help", "Show what I can do"),
        ],
    }
    assert manifest["name"] == {"short": "Communities of Schools", "full": "Kent Communities of Schools"}
    assert len(manifest["description"]["short"]) <= 80
    full = manifest["description"]["full"].lower()
    for phrase in (
        "school leaders",
        "requests",
        "declarations",
        "chairs",
        "agendas",
        "reminders",
        "officers",
    ):
        assert phrase in full
    assert re.fullmatch(r"#[0-9A-Fa-f]{6}", manifest["accentColor"])


def test_every_command_offered_is_one_the_bot_understands(settings: ManifestSettings) -> None:
    from bot.teams.handler import HELP_WORDS
    from dialogs.routes import chat_routes
    from dialogs.routing import Place

    routes = chat_routes()
    (bot,) = render_manifest(settings)["bots"]
    offered = {
        scope: {command["title"] for command in command_list["commands"]}
        for command_list in bot["commandLists"]
        for scope in command_list["scopes"]
    }
    assert offered["personal"] <= set(routes.commands(Place.PERSONAL)) | HELP_WORDS
    assert offered["team"] == {"link", "unlink", "help"}  # anything else gets help
    assert set(routes.commands(Place.CHANNEL)) == {"link", "unlink"}


# --- icons ------------------------------------------------------------------------------------------------


def test_color_icon_is_192px_full_colour_in_the_accent_colour(built: zipfile.ZipFile) -> None:
    image = _image_in(built, "color.png")
    assert image.size == (192, 192)
    rgba = image.convert("RGBA")
    accent = _manifest_in(built)["accentColor"]
    accent_rgb = tuple(int(accent[i : i + 2], 16) for i in (1, 3, 5))
    assert rgba.getpixel((96, 20)) == (*accent_rgb, 255)  # background, above the glyph
    colours = {(r, g, b) for r, g, b, a in _rgba_pixels(rgba) if a == 255}
    assert (255, 255, 255) in colours  # the white glyph
    assert any(len({r, g, b}) > 1 for r, g, b in colours)  # not greyscale


def test_outline_icon_is_32px_white_on_transparent(built: zipfile.ZipFile) -> None:
    image = _image_in(built, "outline.png")
    assert image.size == (32, 32)
    assert image.mode == "RGBA"
    pixels = _rgba_pixels(image)
    alphas = [a for _r, _g, _b, a in pixels]
    assert alphas.count(0) > len(pixels) // 3  # mostly transparent background
    assert alphas.count(255) > 20  # and a visible glyph
    not_white = [(r, g, b, a) for r, g, b, a in pixels if a > 0 and (r, g, b) != (255, 255, 255)]
    assert not_white == []


# --- bad settings -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"bot_id": "cosbot"}, r"bot_id must be a GUID.*got 'cosbot'"),
        ({"bot_id": BOT_ID + "0"}, r"bot_id must be a GUID"),
        ({"bot_id": "{" + BOT_ID + "}"}, r"bot_id must be a GUID"),
        ({"app_id": "28:" + BOT_ID}, r"app_id must be a GUID"),
        ({"version": "1.0"}, r"version must be MAJOR\.MINOR\.PATCH.*got '1\.0'"),
        ({"version": "v1.0.0"}, r"version must be MAJOR\.MINOR\.PATCH"),
        ({"version": "1.0.0-beta"}, r"version must be MAJOR\.MINOR\.PATCH"),
        ({"version": "01.0.0"}, r"version must be MAJOR\.MINOR\.PATCH"),
        ({"base_url": "http://cosbot.example.org"}, r"base_url .*only accepts https://.*got 'http://"),
        ({"base_url": "cosbot.example.org"}, r"base_url .*https://"),
        ({"base_url": "https://"}, r"base_url .*host name"),
        ({"base_url": "https://cosbot.example.org:99999"}, r"base_url has an invalid port"),
        ({"base_url": "https://cosbot.example.org/?x=1"}, r"base_url must not have a query"),
        ({"base_url": "https://cos bot.example.org"}, r"base_url must be .* without spaces"),
        ({"base_url": ""}, r"base_url .*only accepts https://"),
        ({"privacy_url": "http://example.org/privacy"}, r"privacy_url .*only accepts https://"),
        ({"website_url": "ftp://example.org"}, r"website_url .*only accepts https://"),
        ({"terms_url": "https://" + "a" * 2050}, r"terms_url must be .*at most 2048 characters; got 2058\."),
        ({"developer_name": ""}, r"developer_name must be 1 to 32 characters"),
        ({"developer_name": "Kent County Council Children, Young People"}, r"developer_name must be 1 to 32"),
    ],
)
def test_bad_settings_raise_a_clear_manifest_error(
    changes: dict[str, str], message: str, tmp_path: Path
) -> None:
    fields: dict[str, Any] = {"bot_id": BOT_ID, "version": "1.0.0", "base_url": BASE_URL, **changes}
    bad = ManifestSettings(**fields)
    with pytest.raises(ManifestError, match=message):
        render_manifest(bad)
    out = tmp_path / "app.zip"
    with pytest.raises(ManifestError, match=message):
        build_package(bad, out)
    assert not out.exists()


def test_manifest_error_is_a_value_error() -> None:
    assert issubclass(ManifestError, ValueError)


def test_surrounding_whitespace_from_env_files_is_ignored() -> None:
    manifest = render_manifest(ManifestSettings(bot_id=f" {BOT_ID}\n", version="1.0.0 ", base_url=BASE_URL))
    assert manifest["bots"][0]["botId"] == BOT_ID
    assert manifest["version"] == "1.0.0"


# --- command line -----------------------------------------------------------------------------------------


def test_cli_builds_the_package(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "pkg" / "cosbot.zip"
    argv = ["--bot-id", BOT_ID, "--version", "3.1.0", "--base-url", BASE_URL, "--out", str(out)]
    assert main(argv) == 0
    assert capsys.readouterr().out.strip() == str(out)
    manifest = _manifest_in(zipfile.ZipFile(out))
    assert (manifest["bots"][0]["botId"], manifest["version"]) == (BOT_ID, "3.1.0")


def test_cli_takes_the_bot_id_from_app_id_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("APP_ID", APP_ID)
    out = tmp_path / "cosbot.zip"
    assert main(["--version", "1.0.0", "--base-url", BASE_URL, "--out", str(out)]) == 0
    assert _manifest_in(zipfile.ZipFile(out))["bots"][0]["botId"] == APP_ID


def test_cli_reports_bad_input_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "cosbot.zip"
    argv = [
        "--bot-id",
        BOT_ID,
        "--version",
        "1.0.0",
        "--base-url",
        "http://cosbot.example.org",
        "--out",
        str(out),
    ]
    assert main(argv) == 2
    assert capsys.readouterr().err.startswith("error: base_url must be")
    assert not out.exists()


def test_web_application_info_names_the_app_that_may_install_the_bot_for_people(
    built: zipfile.ZipFile,
) -> None:
    manifest = _manifest_in(built)
    assert manifest["webApplicationInfo"] == {"id": BOT_ID, "resource": f"api://cosbot.example.org/{BOT_ID}"}
    graph_app = "3c3c3c3c-1111-4222-8333-444444444444"
    other = render_manifest(
        ManifestSettings(
            bot_id=BOT_ID, version="1.0.0", base_url="https://cosbot.example.org", graph_app_id=graph_app
        )
    )
    assert other["webApplicationInfo"]["id"] == graph_app
    assert validate_manifest(other) == []
