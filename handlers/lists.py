"""/lists and /trash: a member's distribution lists, each with its actions.

Every button carries a list id, and every handler resolves it through ListService with the
member asking, so a payload naming someone else's list finds nothing and is refused.
"""

from __future__ import annotations

from bot.conversation import Button, Context, Router
from bot.services.lists import RESTORE_WINDOW, ListNotFoundError, ListSummary
from bot.services.lists.export import EXPORTERS
from bot.services.optin import qr_png
from handlers import texts
from handlers.contacts import contact_label
from handlers.states import ListDialog
from models import ContactList

router = Router("lists")


def _list_id(data: str | None, prefix: str) -> int:
    raw = (data or "").removeprefix(prefix)
    return int(raw) if raw.isdigit() else 0


def _summary_line(ctx: Context, summary: ListSummary) -> str:
    _ = ctx.t.gettext
    n = ctx.t.number
    line = _(
        "{name}: {total} contacts (Telegram {telegram}, LINE {line}, WhatsApp {whatsapp}), "
        "{opted_out} opted out"
    ).format(
        name=summary.name,
        total=n(summary.total),
        telegram=n(summary.telegram),
        line=n(summary.line),
        whatsapp=n(summary.whatsapp),
        opted_out=n(summary.opted_out),
    )
    if summary.tags:
        line += " · " + ", ".join(f"#{tag}" for tag in summary.tags)
    return line


@router.command("lists")
async def show_lists(ctx: Context) -> None:
    """Every live list with its counts; a button per list opens its actions."""
    member = ctx.require_member()
    await ctx.state.clear()
    lists = await ctx.services.lists.live(member)
    _ = ctx.t.gettext
    if not lists:
        await ctx.reply.send(
            _("You have no lists yet. Send me a CSV, Excel or vCard file to create one.")
        )
        return
    lines = [_("Your lists:")]
    for contact_list in lists:
        lines.append(
            "• " + _summary_line(ctx, await ctx.services.lists.summary(member, contact_list))
        )
    buttons = [[Button(item.name[:30], f"lst:open:{item.id}")] for item in lists[:12]]
    await ctx.reply.send("\n".join(lines), buttons=buttons)


async def _owned(ctx: Context, prefix: str) -> ContactList | None:
    """The member's list named by the button, or None after telling them it's gone."""
    try:
        return await ctx.services.lists.get(ctx.require_member(), _list_id(ctx.event.data, prefix))
    except ListNotFoundError:
        await ctx.reply.send(texts.stale_button(ctx.t))
        return None


@router.button("lst:open:")
async def open_list(ctx: Context) -> None:
    """One list's counts and actions."""
    contact_list = await _owned(ctx, "lst:open:")
    if contact_list is None:
        return
    summary = await ctx.services.lists.summary(ctx.require_member(), contact_list)
    _ = ctx.t.gettext
    list_id = contact_list.id
    await ctx.reply.send(
        _summary_line(ctx, summary),
        buttons=[
            [
                Button(_("Export CSV"), f"lst:export:csv:{list_id}"),
                Button(_("Export Excel"), f"lst:export:xlsx:{list_id}"),
            ],
            [
                Button(_("Rename"), f"lst:rename:{list_id}"),
                Button(_("Tags"), f"lst:tags:{list_id}"),
            ],
            [Button(_("Opt-in link and QR code"), f"lst:optin:{list_id}")],
            [Button(_("Delete"), f"lst:delete:{list_id}")],
        ],
    )


@router.button("lst:export:")
async def export_list(ctx: Context) -> None:
    """The list as CSV or as an Excel workbook ("lst:export:<format>:<id>")."""
    file_format = (ctx.event.data or "").removeprefix("lst:export:").split(":", 1)[0]
    if file_format not in EXPORTERS:
        await ctx.reply.send(texts.stale_button(ctx.t))
        return
    contact_list = await _owned(ctx, f"lst:export:{file_format}:")
    if contact_list is None:
        return
    content = await ctx.services.lists.export(contact_list, file_format)
    name = f"{texts.file_stem(contact_list.name)}.{file_format}"
    await ctx.reply.send_document(name, content, caption=contact_list.name)


@router.button("lst:optin:")
async def opt_in_link(ctx: Context) -> None:
    """The list's opt-in links, each with its QR code."""
    contact_list = await _owned(ctx, "lst:optin:")
    if contact_list is None:
        return
    links = await ctx.services.optin.links(contact_list)
    _ = ctx.t.gettext
    lines = [_('People who open one of these links join "{name}":').format(name=contact_list.name)]
    for platform, url in (("Telegram", links.telegram), ("LINE", links.line)):
        if url is not None:
            lines.append(f"{platform}: {url}")
    await ctx.reply.send("\n".join(lines))
    for platform, url in (("telegram", links.telegram), ("line", links.line)):
        if url is not None:
            await ctx.reply.send_image(f"optin-{platform}.png", qr_png(url), caption=url)


@router.button("lst:rename:")
async def ask_rename(ctx: Context) -> None:
    """Ask for the new name."""
    contact_list = await _owned(ctx, "lst:rename:")
    if contact_list is not None:
        await ctx.state.set_state(ListDialog.rename)
        await ctx.state.set_data({"list_id": contact_list.id})
        await ctx.reply.send(ctx.t.gettext("Send the new name for the list."))


@router.text(state=ListDialog.rename.state)
async def rename(ctx: Context) -> None:
    """Store the new name."""
    data = await ctx.state.get_data()
    await ctx.state.clear()
    try:
        contact_list = await ctx.services.lists.rename(
            ctx.require_member(), int(data.get("list_id", 0)), ctx.event.text
        )
    except ListNotFoundError:
        await ctx.reply.send(texts.stale_button(ctx.t))
        return
    await ctx.reply.send(ctx.t.gettext('Renamed to "{name}".').format(name=contact_list.name))


@router.button("lst:tags:")
async def ask_tags(ctx: Context) -> None:
    """Ask for the tags."""
    contact_list = await _owned(ctx, "lst:tags:")
    if contact_list is not None:
        await ctx.state.set_state(ListDialog.tags)
        await ctx.state.set_data({"list_id": contact_list.id})
        await ctx.reply.send(
            ctx.t.gettext("Send the list's tags, separated by commas (for example: vip, madrid).")
        )


@router.text(state=ListDialog.tags.state)
async def set_tags(ctx: Context) -> None:
    """Store the tags."""
    data = await ctx.state.get_data()
    await ctx.state.clear()
    try:
        contact_list = await ctx.services.lists.set_tags(
            ctx.require_member(), int(data.get("list_id", 0)), ctx.event.text.split(",")
        )
    except ListNotFoundError:
        await ctx.reply.send(texts.stale_button(ctx.t))
        return
    tags = ", ".join(f"#{tag}" for tag in contact_list.tags) or "-"
    await ctx.reply.send(
        ctx.t.gettext('Tags of "{name}": {tags}').format(name=contact_list.name, tags=tags)
    )


@router.button("lst:delete:")
async def confirm_delete(ctx: Context) -> None:
    """Ask before deleting."""
    contact_list = await _owned(ctx, "lst:delete:")
    if contact_list is None:
        return
    _ = ctx.t.gettext
    await ctx.reply.send(
        _('Delete "{name}"? You can restore it with /trash for {days} days.').format(
            name=contact_list.name, days=RESTORE_WINDOW.days
        ),
        buttons=[[Button(_("Yes, delete it"), f"lst:deleteok:{contact_list.id}")]],
    )


@router.button("lst:deleteok:")
async def delete(ctx: Context) -> None:
    """Delete at once; restorable from /trash."""
    contact_list = await _owned(ctx, "lst:deleteok:")
    if contact_list is None:
        return
    await ctx.services.lists.delete(ctx.require_member(), contact_list.id)
    await ctx.reply.send(
        ctx.t.gettext('Deleted "{name}". Send /trash to restore it.').format(name=contact_list.name)
    )


@router.command("trash")
async def show_trash(ctx: Context) -> None:
    """Deleted lists and contacts that can still be restored."""
    member = ctx.require_member()
    lists = await ctx.services.lists.trash(member)
    contacts = await ctx.services.contacts.trash(member)
    _ = ctx.t.gettext
    if not lists and not contacts:
        await ctx.reply.send(_("The trash is empty."))
        return
    lines = [_("Deleted, restorable until the date shown:")]
    buttons = []
    for item in lists[:8]:
        purge_at = item.deleted_at + RESTORE_WINDOW  # type: ignore[operator]
        lines.append(f"• {item.name} ({ctx.t.datetime(purge_at, fmt='short')})")
        label = _("Restore {name}").format(name=item.name[:20])
        buttons.append([Button(label, f"lst:restore:{item.id}")])
    for contact in contacts[:5]:
        purge_at = contact.deleted_at + RESTORE_WINDOW  # type: ignore[operator]
        name = contact_label(contact)
        lines.append(f"• {name} ({ctx.t.datetime(purge_at, fmt='short')})")
        label = _("Restore {name}").format(name=name[:20])
        buttons.append([Button(label, f"ctc:restore:{contact.id}")])
    await ctx.reply.send("\n".join(lines), buttons=buttons)


@router.button("lst:restore:")
async def restore(ctx: Context) -> None:
    """Bring a deleted list back."""
    try:
        contact_list = await ctx.services.lists.restore(
            ctx.require_member(), _list_id(ctx.event.data, "lst:restore:")
        )
    except ListNotFoundError:
        await ctx.reply.send(texts.stale_button(ctx.t))
        return
    await ctx.reply.send(ctx.t.gettext('Restored "{name}".').format(name=contact_list.name))
