"""Every row of every table, to show that a refused request changed nothing."""

from __future__ import annotations

from typing import Any

from tortoise import Tortoise
from tortoise.models import Model

from models import InboundEvent

# The dedup log of webhook events: every accepted event is written there before anything is
# decided about it, so for an accepted but refused action it is no evidence of a change.
DEDUP_LOG = InboundEvent


async def snapshot(*, skip: tuple[type[Model], ...] = ()) -> dict[str, list[dict[str, Any]]]:
    """Each model's rows (every column), in primary-key order; `skip` leaves models out."""
    tables: dict[str, list[dict[str, Any]]] = {}
    for app in Tortoise.apps.values():
        for name, model in sorted(app.items()):
            if model in skip:
                continue
            pk = model._meta.pk_attr
            tables[name] = await model.all().order_by(pk).values()
    return tables


def differences(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The tables whose rows differ, for an assertion message that says where."""
    return [
        name for name in sorted(set(before) | set(after)) if before.get(name) != after.get(name)
    ]
