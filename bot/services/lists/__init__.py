"""Distribution lists: ownership, counts, rename, delete with restore, purge."""

from bot.services.lists.service import (
    RESTORE_WINDOW,
    ListNotFoundError,
    ListService,
    ListSummary,
)

__all__ = ["RESTORE_WINDOW", "ListNotFoundError", "ListService", "ListSummary"]
