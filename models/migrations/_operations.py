"""Operations of our own for the migrations (the loader skips modules starting with "_")."""

from __future__ import annotations

from typing import Any

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


class WidenToText(AlterFieldState):
    """A CharField becoming a TextField (a sealed value outgrows VARCHAR(16)), without a rebuild.

    PostgreSQL enforces the length, so its column changes type in place (ALTER COLUMN ... TYPE
    TEXT keeps the rows and the foreign keys pointing at the table). SQLite never enforces a
    VARCHAR length, so its column is left as it is: Tortoise's SQLite editor would rebuild the
    table, and the rebuild's DROP TABLE cascades (see AlterFieldState).
    """

    def __init__(self, model_name: str, name: str, *, table: str, **kwargs: Any) -> None:
        super().__init__(model_name=model_name, name=name, **kwargs)
        self.table = table

    async def database_forward(
        self,
        app_label: str,
        old_state: State,
        new_state: State,
        state_editor: BaseSchemaEditor | None = None,
    ) -> None:
        """PostgreSQL: the column's type becomes TEXT."""
        if state_editor is not None and state_editor.client.capabilities.dialect == "postgres":
            statement = f'ALTER TABLE "{self.table}" ALTER COLUMN "{self.name}" TYPE TEXT'
            await _execute(state_editor, [statement])


class RemoveConstraintState(ops.RemoveConstraint):
    """A RemoveConstraint of the migration state only: for a UNIQUE declared in CREATE TABLE,
    which SQLite can drop only by rebuilding the table (see AlterFieldState). Its column must
    then hold nothing that could clash (contact.phone: NULL once sealed)."""

    async def database_forward(
        self,
        app_label: str,
        old_state: State,
        new_state: State,
        state_editor: BaseSchemaEditor | None = None,
    ) -> None:
        """Nothing: the constraint stays as it is."""

    async def database_backward(
        self,
        app_label: str,
        old_state: State,
        new_state: State,
        state_editor: BaseSchemaEditor | None = None,
    ) -> None:
        """Nothing: the constraint stays as it is."""


class NewColumnFor(AlterFieldState):
    """A field moving to a new, empty column (`source_field`): the column is added, the old
    one stays for a data step to empty (bot/sealing.py), with no table rebuild."""

    def __init__(self, model_name: str, name: str, *, table: str, column: str, **kwargs: Any) -> None:
        super().__init__(model_name=model_name, name=name, **kwargs)
        self.table = table
        self.column = column

    async def database_forward(
        self,
        app_label: str,
        old_state: State,
        new_state: State,
        state_editor: BaseSchemaEditor | None = None,
    ) -> None:
        """Add the new column, nullable TEXT on both dialects."""
        if state_editor is not None:
            statement = f'ALTER TABLE "{self.table}" ADD COLUMN "{self.column}" TEXT'
            await _execute(state_editor, [statement])


class AppendOnly(ops.RunSQL):
    """Triggers that refuse every UPDATE and DELETE on a table, in the database itself: a
    record that must never change (the audit log) cannot be changed by a bug, a script or
    an ORM call either. Each dialect has its own trigger syntax, and each statement is run
    alone (the SQLite editor splits scripts on semicolons, which trigger bodies contain)."""

    def __init__(self, table: str) -> None:
        super().__init__(sql=[], reverse_sql=[])
        self.table = table

    def describe(self) -> str:
        """What `migrate` prints."""
        return f"Make {self.table} append-only"

    async def database_forward(
        self,
        app_label: str,
        old_state: State,
        new_state: State,
        state_editor: BaseSchemaEditor | None = None,
    ) -> None:
        """Create the triggers."""
        if state_editor is not None:
            await _execute(state_editor, self._create(state_editor.client.capabilities.dialect))

    async def database_backward(
        self,
        app_label: str,
        old_state: State,
        new_state: State,
        state_editor: BaseSchemaEditor | None = None,
    ) -> None:
        """Drop them."""
        if state_editor is not None:
            await _execute(state_editor, self._drop(state_editor.client.capabilities.dialect))

    def _create(self, dialect: str) -> list[str]:
        table = self.table
        if dialect == "sqlite":
            return [
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                for verb in ("UPDATE", "DELETE")
            ]
        return [
            f"CREATE FUNCTION {table}_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{table} is append-only'; END $$",
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_refuse_change()",
        ]

    def _drop(self, dialect: str) -> list[str]:
        table = self.table
        if dialect == "sqlite":
            return [f"DROP TRIGGER IF EXISTS {table}_no_{verb}" for verb in ("update", "delete")]
        return [
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
            f"DROP FUNCTION IF EXISTS {table}_refuse_change()",
        ]


async def _execute(state_editor: BaseSchemaEditor, statements: list[str]) -> None:
    for statement in statements:
        if state_editor.collect_sql:
            state_editor.collected_sql.append(statement)
        else:
            await state_editor.client.execute_query(statement)
