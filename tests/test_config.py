"""Configuration: typed, secrets hidden, and a bad value stops the process with one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings

ROOT = Path(__file__).resolve().parent.parent


def test_defaults_are_the_embedded_configuration() -> None:
    settings = load_settings(_env_file=None)
    assert settings.DATABASE_URL == "sqlite://data/broadside.sqlite3"
    assert settings.REDIS_URL is None
    assert (settings.WEB_HOST, settings.WEB_PORT) == ("127.0.0.1", 8080)
    assert settings.TELEGRAM_API_URL == "https://api.telegram.org"
    assert settings.WHATSAPP_API_URL == "https://graph.facebook.com/v23.0"
    assert not settings.telegram_enabled
    assert not settings.line_enabled
    assert not settings.whatsapp_enabled


def test_secrets_never_show_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:very-secret-token")
    monkeypatch.setenv("LINE_CHANNEL_SECRET", "line-secret-value")
    settings = load_settings(_env_file=None)
    assert settings.telegram_enabled
    assert "very-secret-token" not in repr(settings)
    assert "line-secret-value" not in str(settings.model_dump())


def test_admin_ids_are_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_TELEGRAM_IDS", "111, 222,")
    monkeypatch.setenv("ADMIN_LINE_IDS", "U" + "a" * 32)
    settings = load_settings(_env_file=None)
    assert {"111", "222"} == settings.ADMIN_TELEGRAM_IDS
    assert {"U" + "a" * 32} == settings.ADMIN_LINE_IDS


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("WEB_PORT", "eighty"),
        ("DATABASE_URL", "mysql://nope"),
        ("REDIS_URL", "http://localhost"),
        ("TELEGRAM_API_URL", "api.telegram.org"),
        ("ADMIN_TELEGRAM_IDS", "12,abc"),
    ],
)
def test_malformed_values_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=f"^{name}: "):
        load_settings(_env_file=None)


def test_webhook_url_needs_its_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", "https://example.com/webhooks/telegram")
    with pytest.raises(ConfigError, match=r"^TELEGRAM_WEBHOOK_SECRET: "):
        load_settings(_env_file=None)


def test_the_process_stops_at_start_with_one_line(tmp_path: Path) -> None:
    result = subprocess.run(  # noqa: S603 - our own entry point
        [sys.executable, str(ROOT / "run_bot.py"), "run"],
        env={"WEB_PORT": "99999", "PATH": "/usr/bin:/bin"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "configuration error: WEB_PORT: Input should be less than or equal to 65535"
    ]


def test_help_lists_every_process() -> None:
    result = subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "run_bot.py"), "--help"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    for command in ("run", "web", "worker", "migrate", "sandbox"):
        assert f"    {command} " in result.stdout
