"""Database wiring: the Tortoise config, connecting, closing and applying migrations."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from tortoise import Tortoise
from tortoise.migrations.api.migrate import migrate

from bot.config import Settings
from bot.crypto import Sealer
from bot.keyfile import master_key
from bot.sealing import seal_existing, verify_key

MODELS_MODULE = "models"
MIGRATIONS_MODULE = "models.migrations"


# Tortoise turns an SQLite URL's query into PRAGMAs (it sets WAL itself). In WAL mode NORMAL
# loses at most the last commits on a power cut, never consistency. A 16 MB page cache (SQLite's
# default is 2 MB): a 1M-row import ran as fast with it as with 64 MB, and 40 MB lighter.
_SQLITE_PRAGMAS = {"synchronous": "NORMAL", "cache_size": "-16384"}


def _with_pragmas(database_url: str) -> str:
    if not database_url.startswith("sqlite://"):
        return database_url
    url = urlsplit(database_url)
    query = dict(parse_qsl(url.query))
    for pragma, value in _SQLITE_PRAGMAS.items():
        query.setdefault(pragma, value)  # the URL's own settings win
    return urlunsplit(url._replace(query=urlencode(query)))


def tortoise_config(database_url: str) -> dict[str, Any]:
    """The Tortoise ORM configuration for one database URL."""
    return {
        "connections": {"default": _with_pragmas(database_url)},
        "apps": {
            "models": {
                "models": [MODELS_MODULE],
                "migrations": MIGRATIONS_MODULE,
                "default_connection": "default",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def _prepare(settings: Settings) -> None:
    if (path := settings.sqlite_path) is not None:
        path.parent.mkdir(parents=True, exist_ok=True)


async def apply_migrations(settings: Settings) -> None:
    """Bring the schema up to date, then seal the rows written before numbers and names were
    sealed (bot/sealing.py: only a process with the key can); safe to run from many
    processes one after another."""
    _prepare(settings)
    try:
        await migrate(config=tortoise_config(settings.DATABASE_URL))
        await Tortoise.close_connections()
        await Tortoise.init(config=tortoise_config(settings.DATABASE_URL))
        sealer = Sealer.from_master(master_key(settings))
        await verify_key(sealer)
        await seal_existing(sealer)
    finally:
        await Tortoise.close_connections()


async def connect(settings: Settings) -> None:
    """Open the ORM's connections for this process."""
    _prepare(settings)
    await Tortoise.init(config=tortoise_config(settings.DATABASE_URL))


async def close() -> None:
    """Close every ORM connection of this process."""
    await Tortoise.close_connections()
