"""Typed configuration from the environment (and an optional `.env`).

The variable names are a contract shared with the sandbox, the docs and outside checks,
so every field is spelled exactly as its environment variable.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_TELEGRAM_API_URL = "https://api.telegram.org"
DEFAULT_LINE_API_URL = "https://api.line.me"
DEFAULT_LINE_DATA_API_URL = "https://api-data.line.me"
DEFAULT_WHATSAPP_API_URL = "https://graph.facebook.com/v23.0"

IdList = Annotated[frozenset[str], NoDecode]


class ConfigError(Exception):
    """Configuration is missing or malformed; the message names the variable."""


class Settings(BaseSettings):
    """Everything Broadside reads from its environment."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=True
    )

    DATABASE_URL: str = "sqlite://data/broadside.sqlite3"
    REDIS_URL: str | None = None
    WEB_HOST: str = "127.0.0.1"
    WEB_PORT: int = Field(default=8080, ge=0, le=65535)
    # Where members' browsers reach the web server (download links); WEB_HOST:WEB_PORT if unset.
    PUBLIC_URL: str | None = None
    LOG_LEVEL: str = "INFO"

    TELEGRAM_BOT_TOKEN: SecretStr | None = None
    TELEGRAM_API_URL: str = DEFAULT_TELEGRAM_API_URL
    TELEGRAM_WEBHOOK_URL: str | None = None
    TELEGRAM_WEBHOOK_SECRET: SecretStr | None = None

    LINE_CHANNEL_SECRET: SecretStr | None = None
    LINE_CHANNEL_ACCESS_TOKEN: SecretStr | None = None
    LINE_API_URL: str = DEFAULT_LINE_API_URL
    LINE_DATA_API_URL: str = DEFAULT_LINE_DATA_API_URL

    WHATSAPP_TOKEN: SecretStr | None = None
    WHATSAPP_PHONE_NUMBER_ID: str | None = None
    WHATSAPP_APP_SECRET: SecretStr | None = None
    WHATSAPP_VERIFY_TOKEN: SecretStr | None = None
    WHATSAPP_API_URL: str = DEFAULT_WHATSAPP_API_URL

    # Sending rates per channel and sending account, messages (LINE: requests) per second;
    # 0 turns a limit off. Defaults are the platforms' published limits: Telegram 30/s
    # (paid broadcasts up to 1000/s), LINE 2,000 requests/s, WhatsApp 80/s per number.
    TELEGRAM_RATE_LIMIT: float = Field(default=30, ge=0)
    LINE_RATE_LIMIT: float = Field(default=2000, ge=0)
    WHATSAPP_RATE_LIMIT: float = Field(default=80, ge=0)
    # Deliveries one claim takes, and claims one worker runs at once: their product is the
    # most a killed worker can leave ambiguous.
    DISPATCH_WINDOW: int = Field(default=200, ge=1, le=5000)
    DISPATCH_CONCURRENCY: int = Field(default=4, ge=1, le=64)
    # How long a chunk may go untouched (with Redis) before another worker takes it over from
    # a worker presumed dead, and how old a claim must be before its unrecorded sends count as
    # that dead worker's. Workers touch theirs at every claim; keep it above the longest send.
    DISPATCH_RECLAIM_SECONDS: float = Field(default=30, gt=0)

    # The secret every data key derives from (bot/crypto.py): contacts' sealed numbers and
    # names, the keyed hashes they are found by, those kept of purged accounts' opt-outs.
    # Unset: a key file made on first start beside the SQLite database (bot/keyfile.py), never
    # in it. A deployment sets its own, kept apart from the database: every process of the
    # installation needs the same one, and a lost key leaves the contacts unreadable.
    DATA_KEY: SecretStr | None = None
    # How long records are kept before the scheduled purge removes them. Usage records: as
    # long as billing law asks (seven years by default), itemised but without message text.
    RETENTION_USAGE_DAYS: int = Field(default=7 * 365 + 2, ge=1)
    # Per-recipient delivery details and recipients' replies: 13 months.
    RETENTION_DETAILS_DAYS: int = Field(default=396, ge=1)

    # A running campaign is paused for the operator's review when, after at least
    # PAUSE_MIN_SENDS sends, the share of the recipients it reached who opted out, or of its
    # messages that failed for good, passes these.
    PAUSE_OPT_OUT_RATE: float = Field(default=0.02, gt=0, le=1)
    PAUSE_FAILURE_RATE: float = Field(default=0.20, gt=0, le=1)
    PAUSE_MIN_SENDS: int = Field(default=200, ge=1)

    ADMIN_TELEGRAM_IDS: IdList = frozenset()
    ADMIN_LINE_IDS: IdList = frozenset()

    @field_validator("ADMIN_TELEGRAM_IDS", "ADMIN_LINE_IDS", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("ADMIN_TELEGRAM_IDS")
    @classmethod
    def _telegram_ids_are_numeric(cls, value: frozenset[str]) -> frozenset[str]:
        bad = sorted(item for item in value if not item.lstrip("-").isdigit())
        if bad:
            raise ValueError("Telegram user ids are integers")
        return value

    @field_validator(
        "TELEGRAM_API_URL",
        "LINE_API_URL",
        "LINE_DATA_API_URL",
        "WHATSAPP_API_URL",
        "TELEGRAM_WEBHOOK_URL",
        "PUBLIC_URL",
    )
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value.rstrip("/") if value else value

    @field_validator("DATABASE_URL")
    @classmethod
    def _database_scheme(cls, value: str) -> str:
        if not value.startswith(("sqlite://", "postgres://", "postgresql://", "asyncpg://")):
            raise ValueError("must start with sqlite:// or postgres://")
        return value

    @field_validator("REDIS_URL")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value or None

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        if self.TELEGRAM_WEBHOOK_URL and self.TELEGRAM_WEBHOOK_SECRET is None:
            raise ValueError("TELEGRAM_WEBHOOK_SECRET: required when TELEGRAM_WEBHOOK_URL is set")
        return self

    @property
    def public_url(self) -> str:
        """The base URL members' browsers use to reach this service."""
        return self.PUBLIC_URL or f"http://{self.WEB_HOST}:{self.WEB_PORT}"

    @property
    def channel_rates(self) -> dict[str, float | None]:
        """The sending rate limits by channel name; None where turned off."""
        rates = {
            "telegram": self.TELEGRAM_RATE_LIMIT,
            "line": self.LINE_RATE_LIMIT,
            "whatsapp": self.WHATSAPP_RATE_LIMIT,
        }
        return {channel: rate or None for channel, rate in rates.items()}

    @property
    def telegram_enabled(self) -> bool:
        """Telegram is on when its bot token is configured."""
        return self.TELEGRAM_BOT_TOKEN is not None

    @property
    def line_enabled(self) -> bool:
        """LINE is on when both the channel secret and access token are configured."""
        return self.LINE_CHANNEL_SECRET is not None and self.LINE_CHANNEL_ACCESS_TOKEN is not None

    @property
    def whatsapp_enabled(self) -> bool:
        """WhatsApp is on when the token and the sending phone number id are configured."""
        return self.WHATSAPP_TOKEN is not None and self.WHATSAPP_PHONE_NUMBER_ID is not None

    @property
    def sqlite_path(self) -> Path | None:
        """The database file for an embedded SQLite URL, to create its folder first."""
        if not self.DATABASE_URL.startswith("sqlite://"):
            return None
        path = self.DATABASE_URL.removeprefix("sqlite://").split("?", 1)[0]
        return None if path in ("", ":memory:") else Path(path)


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning a validation failure into one line naming the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        error = exc.errors()[0]
        name = ".".join(str(part) for part in error["loc"]) or "configuration"
        message = error["msg"].removeprefix("Value error, ")
        if ":" in message and not error["loc"]:
            name, message = (part.strip() for part in message.split(":", 1))
        raise ConfigError(f"{name}: {message}") from None
