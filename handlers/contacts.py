"""/contact: find one contact, see everything held about them, delete (restorable)."""

from __future__ import annotations

from bot.conversation import Button, Context, Router
from bot.services.lists import RESTORE_WINDOW
from bot.services.lists.contacts import ContactNotFoundError
from bot.services.lists.imports import member_region
from handlers import texts
from models import Contact

router = Router("contacts")
MAX_SHOWN_ATTRIBUTES = 8


def contact_label(contact: Contact) -> str:
    """How a contact is named on buttons and in confirmations."""
    name = " ".join(part for part in (contact.first_name, contact.last_name) if part)
    return name or contact.phone or contact.line_id or str(contact.telegram_id or contact.id)


def _contact_id(data: str | None, prefix: str) -> int:
    raw = (data or "").removeprefix(prefix)
    return int(raw) if raw.isdigit() else 0


@router.command("contact")
async def find_contact(ctx: Context) -> None:
    """Search by phone number or name."""
    member = ctx.require_member()
    _ = ctx.t.gettext
    query = ctx.event.text.strip()
    if not query:
        await ctx.reply.send(_("Send /contact followed by a phone number or a name."))
        return
    found = await ctx.services.contacts.find(member, query, region=member_region(member))
    if not found:
        await ctx.reply.send(_('No contact matches "{query}".').format(query=query[:64]))
        return
    await ctx.reply.send(
        _("Contacts found:"),
        buttons=[[Button(contact_label(c)[:30], f"ctc:open:{c.id}")] for c in found],
    )


@router.button("ctc:open:")
async def open_contact(ctx: Context) -> None:
    """Everything held about one contact."""
    try:
        contact = await ctx.services.contacts.get(
            ctx.require_member(), _contact_id(ctx.event.data, "ctc:open:")
        )
    except ContactNotFoundError:
        await ctx.reply.send(texts.stale_button(ctx.t))
        return
    _ = ctx.t.gettext
    lines = [
        contact_label(contact),
        _("Phone: {value}").format(value=contact.phone or "-"),
        _("Telegram: {value}").format(value=contact.telegram_id or "-"),
        _("LINE: {value}").format(value=contact.line_id or "-"),
        _("Language: {value}").format(value=contact.language or "-"),
        _("Timezone: {value}").format(value=contact.timezone or "-"),
        _("Tags: {value}").format(value=", ".join(contact.tags) or "-"),
        _("Consent: {source}, {date}").format(
            source=contact.consent_source.value, date=ctx.t.datetime(contact.consent_at)
        ),
    ]
    lines += [
        f"{{{key}}}: {value}"
        for key, value in list(contact.attributes.items())[:MAX_SHOWN_ATTRIBUTES]
    ]
    await ctx.reply.send(
        "\n".join(lines), buttons=[[Button(_("Delete"), f"ctc:delete:{contact.id}")]]
    )


@router.button("ctc:delete:")
async def delete_contact(ctx: Context) -> None:
    """Delete at once; restorable from /trash."""
    try:
        contact = await ctx.services.contacts.delete(
            ctx.require_member(), _contact_id(ctx.event.data, "ctc:delete:")
        )
    except ContactNotFoundError:
        await ctx.reply.send(texts.stale_button(ctx.t))
        return
    await ctx.reply.send(
        ctx.t.gettext("Deleted {name}. You can restore it with /trash for {days} days.").format(
            name=contact_label(contact), days=RESTORE_WINDOW.days
        )
    )


@router.button("ctc:restore:")
async def restore_contact(ctx: Context) -> None:
    """Bring a deleted contact back."""
    try:
        contact = await ctx.services.contacts.restore(
            ctx.require_member(), _contact_id(ctx.event.data, "ctc:restore:")
        )
    except ContactNotFoundError:
        await ctx.reply.send(texts.stale_button(ctx.t))
        return
    await ctx.reply.send(ctx.t.gettext('Restored "{name}".').format(name=contact_label(contact)))
