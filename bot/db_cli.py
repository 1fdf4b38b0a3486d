"""Entry for `python -m tortoise makemigrations`, which needs its config as a module attribute.

Only that developer command imports this module; the running app builds its config in bot/db.py.
"""

from bot.config import load_settings
from bot.db import tortoise_config

TORTOISE_ORM = tortoise_config(load_settings().DATABASE_URL)
