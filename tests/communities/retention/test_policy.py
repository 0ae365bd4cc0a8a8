"""The policy from RETENTION_*_DAYS: the documented defaults, and a clear refusal of a bad value."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, Settings
from communities.retention.policy import Kind, RetentionPolicy, RetentionSettingError


def test_the_defaults_are_the_documented_ones() -> None:
    policy = RetentionPolicy.from_env({})
    assert {k.setting: policy.days(k) for k in Kind} == {
        "RETENTION_REQUEST_DETAIL_DAYS": 365,
        "RETENTION_OUTCOMES_DAYS": 2190,
        "RETENTION_DECLARATIONS_DAYS": 2190,
        "RETENTION_AUDIT_DAYS": 2190,
        "RETENTION_OUTBOX_DAYS": 90,
        "RETENTION_BOT_STATE_DAYS": 30,
        "RETENTION_CONVERSATION_REFS_DAYS": 90,
    }
    assert policy.abandoned_draft == 90


def test_each_setting_changes_its_kind() -> None:
    policy = RetentionPolicy.from_env({"RETENTION_REQUEST_DETAIL_DAYS": " 400 ", "RETENTION_OUTBOX_DAYS": ""})
    assert policy.request_detail == 400 and policy.outbox == 90


@pytest.mark.parametrize(
    ("raw", "said"),
    [
        ("a year", "RETENTION_AUDIT_DAYS must be a whole number of days, such as 365, not 'a year'"),
        ("36.5", "RETENTION_AUDIT_DAYS must be a whole number of days, such as 365, not '36.5'"),
        ("0", "RETENTION_AUDIT_DAYS must be more than 0 days, not 0"),
        ("-5", "RETENTION_AUDIT_DAYS must be more than 0 days, not -5"),
    ],
)
def test_a_bad_value_is_refused_naming_the_setting(raw: str, said: str) -> None:
    with pytest.raises(RetentionSettingError) as refused:
        RetentionPolicy.from_env({"RETENTION_AUDIT_DAYS": raw})
    assert str(refused.value) == said


def test_the_bot_refuses_to_start_with_a_bad_value_and_reads_a_good_one(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = tmp_path / ".env"
    with pytest.raises(ConfigError, match="RETENTION_BOT_STATE_DAYS must be more than 0 days"):
        Settings.from_env({"RETENTION_BOT_STATE_DAYS": "0"}, env_file=env)
    assert Settings.from_env({"RETENTION_BOT_STATE_DAYS": "7"}, env_file=env).retention.bot_state == 7
    assert Settings.from_env({}, env_file=env).retention == RetentionPolicy()
