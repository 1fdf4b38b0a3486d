"""Operations of our own for the migrations (the loader skips modules starting with "_")."""

from __future__ import annotations

from tortoise.migrations import operations as ops
from tortoise.migrations.schema_editor.base import BaseSchemaEditor
from tortoise.migrations.schema_generator.state import State


class AlterFieldState(ops.AlterField):
    """An AlterField that changes the migration state only, never the database.

    For changes the column does not see: a CharEnumField gaining a member changes only the
    field's description (a comment). Tortoise's SQLite editor alters a field by rebuilding
    the table, and dropping the old table with foreign keys on cascades: altering `member`
    would delete every member's lists, contacts and campaigns.
    """

    async def database_forward(
        self,
        app_label: str,
        old_state: State,
        new_state: State,
        state_editor: BaseSchemaEditor | None = None,
    ) -> None:
        """Nothing: the column stays as it is."""

    async def database_backward(
        self,
        app_label: str,
        old_state: State,
        new_state: State,
        state_editor: BaseSchemaEditor | None = None,
    ) -> None:
        """Nothing: the column stays as it is."""
