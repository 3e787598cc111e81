"""Settings are declared once (archive/config.py) with their rules: read from the
environment, checked with messages naming the variable, and documented from the same
declarations (docs/reference/settings.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.config import Settings, load_settings
from archive.errors import ConfigError
from archive.runtime import build_runtime
from archive.settings_reference import REFERENCE, render
from archive.settings_rules import GROUPS


def test_the_reference_is_written_from_the_declarations() -> None:
    assert REFERENCE.read_text(encoding="utf-8") == render(), (
        "docs/reference/settings.md drifted from archive/config.py: run `make settings-reference`"
    )


def test_every_setting_is_described_and_grouped() -> None:
    for name, field in Settings.model_fields.items():
        assert field.description and len(field.description) > 10, name
        extra = field.json_schema_extra
        assert isinstance(extra, dict) and extra["group"] in GROUPS, name
        assert f"`ARCHIVE_{name.upper()}`" in render()


@pytest.mark.parametrize(
    ("variables", "words"),
    [
        ({"ARCHIVE_SMTP_PORT": "587번"}, ["ARCHIVE_SMTP_PORT='587번'", "정수", "whole number"]),
        ({"ARCHIVE_SMTP_PORT": "70000"}, ["ARCHIVE_SMTP_PORT", "65535 이하", "at most 65535"]),
        ({"ARCHIVE_SETTLE_SECONDS": "-1"}, ["ARCHIVE_SETTLE_SECONDS", "0 이상", "at least 0"]),
        ({"ARCHIVE_POLL_SECONDS": "0"}, ["ARCHIVE_POLL_SECONDS", "more than 0"]),
        ({"ARCHIVE_SECURE_COOKIES": "네"}, ["ARCHIVE_SECURE_COOKIES", "1 또는 0", "give 1 or 0"]),
        ({"ARCHIVE_LOG_FORMAT": "xml"}, ["ARCHIVE_LOG_FORMAT", "use text or json"]),
        ({"ARCHIVE_INGEST_NICE": "20"}, ["ARCHIVE_INGEST_NICE", "at most 19"]),
        ({"ARCHIVE_PUBLIC_URL": "oldphoto.naju.go.kr"}, ["ARCHIVE_PUBLIC_URL", "visitors use"]),
        ({"ARCHIVE_PROXY_ADDRESSES": "nginx"}, ["ARCHIVE_PROXY_ADDRESSES", "not an address"]),
        ({"ARCHIVE_SMTP_CA_FILE": "/없는/ca.pem"}, ["ARCHIVE_SMTP_CA_FILE", "no such file"]),
    ],
)
def test_a_value_that_breaks_a_rule_is_named_in_korean_and_english(
    variables: dict[str, str], words: list[str]
) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(variables)
    for word in words:
        assert word in str(raised.value)


def test_every_broken_setting_is_named_at_once_and_secrets_are_not_repeated() -> None:
    variables = {"ARCHIVE_WORKERS": "two", "ARCHIVE_SMTP_PASSWORD": "", "ARCHIVE_MAX_PAGES": "0"}
    with pytest.raises(ConfigError) as raised:
        load_settings(variables, secret_key=["not", "text"])
    message = str(raised.value)
    assert "ARCHIVE_WORKERS='two'" in message and "ARCHIVE_MAX_PAGES='0'" in message
    assert "ARCHIVE_SECRET_KEY:" in message and "not" not in message.split("ARCHIVE_SECRET_KEY")[1]


def test_yes_or_no_settings_are_booleans() -> None:
    for raw, expected in (("1", True), ("0", False), ("true", True), ("off", False)):
        settings = load_settings({"ARCHIVE_SMTP_STARTTLS": raw, "ARCHIVE_SECURE_COOKIES": raw})
        assert settings.smtp_starttls is expected and settings.secure_cookies is expected
    assert load_settings({}).smtp_starttls is True and load_settings({}).secure_cookies is False


def test_the_environment_is_read_unless_a_mapping_is_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ARCHIVE_WORKERS", "3")
    monkeypatch.setenv("ARCHIVE_OAI_PAGE_SIZE", "")  # empty counts as unset
    assert load_settings().workers == 3 and load_settings().oai_page_size == 100
    assert load_settings({}).workers == 0  # the mapping given is the whole environment
    assert load_settings({"ARCHIVE_WORKERS": "2"}).workers == 2
    assert load_settings(workers=1).workers == 1  # explicit values win


def test_overrides_are_checked_by_the_same_rules() -> None:
    settings = load_settings({})
    assert settings.with_overrides(thumb_size=160).thumb_size == 160
    with pytest.raises(ConfigError, match="ARCHIVE_THUMB_SIZE"):
        settings.with_overrides(thumb_size=0)
    with pytest.raises(ConfigError, match="ARCHIVE_THUMB_SIZ: 없는 설정"):
        load_settings({}, thumb_siz=100)


def test_the_search_backend_follows_the_database_unless_set(tmp_path: Path) -> None:
    sqlite = load_settings({}, data_dir=tmp_path)
    postgres = load_settings({}, database_url="postgresql+psycopg://archive@db/archive")
    assert (sqlite.search_engine, postgres.search_engine) == ("whoosh", "postgres")
    assert postgres.with_overrides(search_backend="whoosh").search_engine == "whoosh"
    with pytest.raises(ConfigError, match="ARCHIVE_SEARCH_BACKEND"):
        load_settings({"ARCHIVE_SEARCH_BACKEND": "elastic"})
    with pytest.raises(ConfigError, match="PostgreSQL"):
        build_runtime(load_settings({}, data_dir=tmp_path, search_backend="postgres"))
    with pytest.raises(ConfigError, match="ARCHIVE_DATABASE_READ_URL"):
        build_runtime(load_settings({}, data_dir=tmp_path, database_read_url="sqlite:///x.db"))
