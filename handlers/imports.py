"""Importing an uploaded file into a list: preview, mapping, destination, progress, report."""

from __future__ import annotations

import time
import uuid

from bot.conversation import Button, Context, Router
from bot.conversation.responder import Responder, SentRef
from bot.i18n import I18n, Translator
from bot.notify import MemberNotifier
from bot.services.imports.mapping import Field
from bot.services.imports.readers import UnreadableFile
from bot.services.lists import ListNotFoundError
from bot.services.lists.imports import (
    ImportReporting,
    ResumedReporting,
    StagedFile,
    UploadNotFoundError,
)
from handlers import texts
from handlers.import_texts import (
    field_label,
    import_report,
    mapping_card,
    progress_text,
    row_problem_text,
    unreadable_text,
)
from handlers.states import ImportDialog
from models import ContactList, ImportJob, Member

router = Router("imports")
MAPPING = ImportDialog.mapping.state

# How often the progress message may be edited: platforms rate-limit edits, people don't need more.
PROGRESS_EVERY_SECONDS = 2.0
# Columns offered for re-mapping; a member with more fixes the file rather than tapping on.
EDITABLE_COLUMNS = 10
EDITABLE_FIELDS = (
    Field.PHONE,
    Field.FIRST_NAME,
    Field.LAST_NAME,
    Field.FULL_NAME,
    Field.TELEGRAM_ID,
    Field.LINE_ID,
    Field.WHATSAPP,
    Field.LANGUAGE,
    Field.TIMEZONE,
    Field.TAGS,
    Field.EMAIL,
    Field.ATTRIBUTE,
    Field.IGNORE,
)


async def offer_import(ctx: Context, name: str, content: bytes) -> None:
    """Read the file's shape and show the preview with the proposed mapping."""
    member = ctx.require_member()
    try:
        staged = await ctx.services.imports.stage(member, name, content)
    except UnreadableFile as error:
        await ctx.reply.send(unreadable_text(ctx.t, name, error.problem))
        return
    await ctx.state.set_state(ImportDialog.mapping)
    await ctx.state.set_data(_dialog_data(staged))
    await _show_mapping(ctx)


def _dialog_data(staged: StagedFile) -> dict[str, object]:
    # Only what the dialog shows, trimmed: hostile files can have huge headers.
    return {
        "upload_id": str(staged.upload_id),
        "name": staged.name,
        "format": staged.format,
        "columns": [column[:40] for column in staged.columns],
        "preview": [[cell[:40] for cell in row[:8]] for row in staged.preview],
        "mapping": {str(index): field.value for index, field in staged.mapping.items()},
    }


def _mapping(data: dict[str, object]) -> dict[int, Field]:
    raw: dict[str, str] = data.get("mapping") or {}  # type: ignore[assignment]
    return {int(index): Field(value) for index, value in raw.items()}


def _index(data: str | None, prefix: str) -> int | None:
    raw = (data or "").removeprefix(prefix).split(":", 1)[0]
    return int(raw) if raw.isdigit() else None


async def _show_mapping(ctx: Context) -> None:
    data = await ctx.state.get_data()
    columns: list[str] = data["columns"]
    _ = ctx.t.gettext
    buttons = [
        [Button("✎ " + column[:18], f"imp:col:{index}")]
        for index, column in enumerate(columns[:EDITABLE_COLUMNS])
    ]
    buttons.append([Button(_("Import into a new list"), "imp:new")])
    if await ctx.services.lists.live(ctx.require_member()):
        buttons.append([Button(_("Add to an existing list"), "imp:into")])
    buttons.append([Button(_("Cancel"), "imp:cancel")])
    await ctx.reply.send(
        mapping_card(ctx.t, data["name"], data["format"], columns, data["preview"], _mapping(data)),
        buttons=buttons,
    )


@router.button("imp:col:", state=MAPPING)
async def choose_column(ctx: Context) -> None:
    """Offer the fields a column can map to."""
    index = _index(ctx.event.data, "imp:col:")
    data = await ctx.state.get_data()
    if index is None or index >= len(data["columns"]):
        await ctx.reply.send(texts.stale_button(ctx.t))
        return
    buttons = [
        [Button(field_label(ctx.t, field), f"imp:set:{index}:{field.value}")]
        for field in EDITABLE_FIELDS
    ]
    question = ctx.t.gettext('What is in the column "{column}"?')
    await ctx.reply.send(question.format(column=data["columns"][index]), buttons=buttons)


@router.button("imp:set:", state=MAPPING)
async def set_column(ctx: Context) -> None:
    """Map a column to a field; a single-valued field moves off any other column."""
    index = _index(ctx.event.data, "imp:set:")
    value = (ctx.event.data or "").rsplit(":", 1)[-1]
    data = await ctx.state.get_data()
    if index is None or index >= len(data["columns"]) or value not in Field:
        await ctx.reply.send(texts.stale_button(ctx.t))
        return
    mapping = _mapping(data)
    field = Field(value)
    if field not in (Field.ATTRIBUTE, Field.IGNORE):
        for other, mapped in mapping.items():
            if mapped is field:
                mapping[other] = Field.IGNORE
    mapping[index] = field
    await ctx.state.update_data(mapping={str(i): f.value for i, f in mapping.items()})
    await _show_mapping(ctx)


@router.button("imp:cancel", state=MAPPING)
async def cancel(ctx: Context) -> None:
    """Drop the staged file."""
    await ctx.state.clear()
    await ctx.reply.send(ctx.t.gettext("Import cancelled. Nothing was imported."))


@router.button("imp:new", state=MAPPING)
async def ask_list_name(ctx: Context) -> None:
    """Ask what the new list is called."""
    await ctx.state.set_state(ImportDialog.list_name)
    await ctx.reply.send(ctx.t.gettext("What should the new list be called?"))


@router.text(state=ImportDialog.list_name.state)
async def new_list(ctx: Context) -> None:
    """Create the list with the typed name and import into it."""
    contact_list = await ctx.services.lists.create(ctx.require_member(), ctx.event.text)
    await _start(ctx, contact_list)


@router.button("imp:into", state=MAPPING)
async def choose_list(ctx: Context) -> None:
    """Offer the member's lists."""
    lists = await ctx.services.lists.live(ctx.require_member())
    buttons = [[Button(item.name[:30], f"imp:list:{item.id}")] for item in lists[:12]]
    await ctx.reply.send(ctx.t.gettext("Which list should I add them to?"), buttons=buttons)


@router.button("imp:list:", state=MAPPING)
async def into_list(ctx: Context) -> None:
    """Import into an existing list, which must be the member's own."""
    list_id = _index(ctx.event.data, "imp:list:")
    try:
        contact_list = await ctx.services.lists.get(ctx.require_member(), list_id or 0)
    except ListNotFoundError:
        await ctx.reply.send(texts.stale_button(ctx.t))
        return
    await _start(ctx, contact_list)


async def _start(ctx: Context, contact_list: ContactList) -> None:
    data = await ctx.state.get_data()
    await ctx.state.clear()
    reply = ctx.reply.detached()
    t = ctx.t
    progress = _ProgressMessage(reply, t, contact_list.name)
    try:
        await ctx.services.imports.start(
            ctx.require_member(),
            uuid.UUID(data["upload_id"]),
            contact_list,
            _mapping(data),
            on_progress=progress.update,
            on_finish=progress.finish,
            describe=lambda problem: row_problem_text(t, problem),
        )
    except UploadNotFoundError:
        await ctx.reply.send(texts.stale_button(ctx.t))
        return
    await progress.begin()


class _ProgressMessage:
    """One message edited as the import goes (where the platform edits), then the report."""

    def __init__(self, reply: Responder, t: Translator, list_name: str) -> None:
        self._reply = reply
        self._t = t
        self._list_name = list_name
        self._ref: SentRef | None = None
        self._last_edit = 0.0

    async def begin(self) -> None:
        self._ref = await self._reply.send(progress_text(self._t, self._list_name, None))
        self._last_edit = time.monotonic()

    async def update(self, job: ImportJob) -> None:
        if self._ref is None or time.monotonic() - self._last_edit < PROGRESS_EVERY_SECONDS:
            return
        self._last_edit = time.monotonic()
        await self._reply.edit(self._ref, progress_text(self._t, self._list_name, job))

    async def finish(self, job: ImportJob) -> None:
        if self._ref is not None:
            await self._reply.edit(self._ref, progress_text(self._t, self._list_name, job))
        await self._reply.send(import_report(self._t, self._list_name, job))
        if job.rejected_csv:
            await self._reply.send_document(
                "rejected-rows.csv",
                bytes(job.rejected_csv),
                caption=_rejected_caption(self._t),
            )


def resumed_reporting(i18n: I18n, notifier: MemberNotifier) -> ResumedReporting:
    """How an import resumed in another process (the one that ran it died) reports: the chat's
    progress message belonged to the dead process, so only the report and the rejected rows go
    to the member, on each of their chats."""

    def reporting(member: Member) -> ImportReporting:
        t = i18n.translator(member.locale, member.timezone)

        async def progress(job: ImportJob) -> None:
            return None

        async def finish(job: ImportJob) -> None:
            await notifier.send(member.id, import_report(t, job.contact_list.name, job))
            if job.rejected_csv:
                await notifier.send_document(
                    member.id,
                    "rejected-rows.csv",
                    bytes(job.rejected_csv),
                    caption=_rejected_caption(t),
                )

        return ImportReporting(progress, finish, lambda problem: row_problem_text(t, problem))

    return reporting


def _rejected_caption(t: Translator) -> str:
    return t.gettext("The rows I could not import, with the reason for each.")
