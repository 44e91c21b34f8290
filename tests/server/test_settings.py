from __future__ import annotations

from pathlib import Path

import pytest

from server.settings import SettingsError, load_settings


def test_defaults_put_everything_under_var(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PLAZA_VAR_DIR", str(tmp_path))
    settings = load_settings()
    assert settings.database_url == f"sqlite://{tmp_path / 'plaza.sqlite3'}"
    assert settings.redis_url == f"unix://{tmp_path.absolute() / 'redis' / 'redis.sock'}"


def test_environment_is_read_with_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLAZA_EMAIL_DOMAINS", "Corp.example.com, @shop.example.org")
    monkeypatch.setenv("PLAZA_TIMEZONE", "Europe/Moscow")
    monkeypatch.setenv("PLAZA_LOCALE", "ru")
    monkeypatch.setenv("PLAZA_DATABASE_URL", "postgres://u:p@db:5432/plaza")
    settings = load_settings()
    assert settings.email_domains == ("corp.example.com", "shop.example.org")
    assert settings.zone.key == "Europe/Moscow"
    assert settings.locale == "ru"
    assert settings.database_url == "postgres://u:p@db:5432/plaza"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("PLAZA_TIMEZONE", "Mars/Olympus", "not an IANA time zone"),
        ("PLAZA_DATABASE_URL", "mysql://x", "must start with sqlite://"),
        ("PLAZA_REDIS_URL", "http://x", "must start with redis://"),
        ("PLAZA_SECRET_KEY", "short", "at least 32 characters"),
        ("PLAZA_EMAIL_DOMAINS", "not a domain", "is not a domain name"),
        ("PLAZA_LOCALE", "de", "Input should be 'en' or 'ru'"),
        ("PLAZA_PASSWORD_MIN_LENGTH", "3", "greater than or equal to 6"),
        ("PLAZA_SESSION_IDLE_MINUTES", "soon", "valid integer"),
    ],
)
def test_bad_value_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert name in str(caught.value) and message in str(caught.value)


def test_cli_reports_bad_settings_and_exits_2(monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from server.cli import main

    result = CliRunner().invoke(main, ["migrate"], env={"PLAZA_TIMEZONE": "Nowhere/Land"})
    assert result.exit_code == 2
    assert "PLAZA_TIMEZONE" in result.output


def test_dev_secret_is_generated_once_and_kept(tmp_path: Path) -> None:
    settings = load_settings(var_dir=tmp_path)
    first = settings.secret()
    assert len(first) >= 48
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert load_settings(var_dir=tmp_path).secret() == first
    assert load_settings(var_dir=tmp_path, secret_key="k" * 40).secret() == "k" * 40
