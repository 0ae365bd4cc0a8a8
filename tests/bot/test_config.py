from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, Settings


def test_defaults_are_local_development_on_sqlite(tmp_path: Path) -> None:
    settings = Settings.from_env({}, env_file=tmp_path / "none.env")
    assert settings.database_url == "sqlite+aiosqlite:///./var/cosbot.db"
    assert settings.timezone == "Europe/London" and settings.app_type == "SingleTenant"
    assert not settings.authenticated


def test_a_dotenv_file_is_read_and_real_environment_variables_win(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("DATABASE_URL=postgresql://from-file/db\nTIMEZONE=Europe/Dublin\n")
    settings = Settings.from_env({"TIMEZONE": "Europe/London"}, env_file=env_file)
    assert settings.database_url == "postgresql://from-file/db"
    assert settings.timezone == "Europe/London"


@pytest.mark.parametrize(
    ("environ", "words"),
    [
        ({"MicrosoftAppType": "Everyone"}, "MicrosoftAppType must be one of"),
        ({"MicrosoftAppId": "id", "MicrosoftAppPassword": "pw"}, "MicrosoftAppTenantId is required"),
        ({"MicrosoftAppId": "id", "MicrosoftAppTenantId": "t"}, "MicrosoftAppPassword is required"),
        ({"TIMEZONE": "Mars/Olympus"}, "not a known IANA time zone"),
        ({"OUTBOX_RATE_PER_SECOND": "fast"}, "must be a number"),
        ({"OUTBOX_RATE_PER_SECOND": "80"}, "within Teams' 50 messages/s"),
        ({"ROSTER_CACHE_SECONDS": "-1"}, "ROSTER_CACHE_SECONDS must be zero or more"),
        ({"QUORUM_SCHOOL_SHARE": "2"}, "QUORUM_SCHOOL_SHARE must be a share between 0 and 1"),
        ({"QUORUM_SCHOOL_SHARE": "half"}, "QUORUM_SCHOOL_SHARE must be a share between 0 and 1"),
        ({"SUBMISSION_DEADLINE_DAYS": "3"}, "must be more than AGENDA_DUE_DAYS"),
        ({"TIMELINE_MORNING_OF_TIME": "8am"}, "TIMELINE_MORNING_OF_TIME must be a time like 09:00"),
        ({"TIMELINE_GRACE_HOURS": "0"}, "TIMELINE_GRACE_HOURS must be greater than zero"),
        ({"ROSTER_CACHE_SECONDS": "nan"}, "ROSTER_CACHE_SECONDS must be a finite number"),
    ],
)
def test_wrong_settings_say_what_to_fix(environ: dict[str, str], words: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=words):
        Settings.from_env(environ, env_file=tmp_path / "none.env")


def test_a_managed_identity_needs_no_password(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"MicrosoftAppId": "id", "MicrosoftAppType": "UserAssignedMSI", "MicrosoftAppTenantId": "t"},
        env_file=tmp_path / "none.env",
    )
    assert settings.authenticated


def test_the_quorum_rule_and_the_scheduler_switch_come_from_the_environment(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"QUORUM_SCHOOL_SHARE": "0.6", "QUORUM_NEEDS_CHAIR": "no", "SCHEDULER_ENABLED": "false"},
        env_file=tmp_path / "none.env",
    )
    assert settings.quorum_rule.schools_needed(10) == 6 and not settings.quorum_rule.chair_or_vice_required
    assert settings.scheduler_enabled is False
    assert Settings.from_env({}, env_file=tmp_path / "none.env").quorum_rule.schools_needed(9) == 5


def test_the_timeline_offsets_come_from_the_environment(tmp_path: Path) -> None:
    timeline = Settings.from_env(
        {
            "TIMELINE_REQUESTS_OPEN_DAYS": "15",
            "TIMELINE_MORNING_OF_TIME": "07:30",
            "TIMELINE_GRACE_HOURS": "2",
        },
        env_file=tmp_path / "none.env",
    ).timeline
    assert (timeline.requests_open_days, timeline.morning_of_time.isoformat()) == (15, "07:30:00")
    assert timeline.grace.total_seconds() == 7200 and timeline.deadline_reminder_days == 3


def test_the_package_settings_read_only_the_app_id_and_public_url(tmp_path: Path) -> None:
    """What a Teams admin has; settings the package does not use are neither read nor checked."""
    env_file = tmp_path / ".env"
    env_file.write_text("PUBLIC_URL=https://cosbot.example.org/\nTIMEZONE=Mars/Olympus\n")
    environ = {"MicrosoftAppId": "id", "GRAPH_MAILBOX": "cos@kent.example", "OUTBOX_RATE_PER_SECOND": "80"}

    settings = Settings.for_package(environ, env_file=env_file)

    assert (settings.app_id, settings.public_url) == ("id", "https://cosbot.example.org")
    assert settings.app_password == "" and settings.graph is None
    with pytest.raises(ConfigError):  # the service's settings are still all checked
        Settings.from_env(environ, env_file=env_file)
