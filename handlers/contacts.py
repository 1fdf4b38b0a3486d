"""/contact: find one contact, see everything held about them, delete (restorable)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.conversation import Button, Context, Router
from bot.services.lists import RESTORE_WINDOW
from bot.services.lists.contacts import ContactNotFoundError
from bot.services.lists.imports import member_region
from handlers import texts
from models import Contact, Member

router = Router("contacts")
MAX_SHOWN_ATTRIBUTES = 8


def contact_label(contact: Contact) -> str:
    """How a contact is named on buttons and in confirmations."""
    name = " ".join(part for part in (contact.first_name, contact.last_name) if part)
    return name or contact.phone or contact.line_id or str(contact.telegram_id or contact.id)


async def _resolve(
    ctx: Context, prefix: str, action: Callable[[Member, int], Awaitable[Contact]]
) -> Contact | None:
    """Apply a service action to the contact the button names, as this member.

    The service only finds the member's own contacts, so a stale or forged id is refused here.
    """
    raw = (ctx.event.data or "").removeprefix(prefix)
    try:
        return await action(ctx.require_member(), int(raw) if raw.isdigit() else 0)
    except ContactNotFoundError:
        await ctx.reply.send(texts.stale_button(ctx.t))
        return None


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
    contact = await _resolve(ctx, "ctc:open:", ctx.services.contacts.get)
    if contact is None:
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
    contact = await _resolve(ctx, "ctc:delete:", ctx.services.contacts.delete)
    if contact is None:
        return
    await ctx.reply.send(
        ctx.t.gettext("Deleted {name}. You can restore it with /trash for {days} days.").format(
            name=contact_label(contact), days=RESTORE_WINDOW.days
        )
    )


@router.button("ctc:restore:")
async def restore_contact(ctx: Context) -> None:
    """Bring a deleted contact back."""
    contact = await _resolve(ctx, "ctc:restore:", ctx.services.contacts.restore)
    if contact is None:
        return
    await ctx.reply.send(ctx.t.gettext('Restored "{name}".').format(name=contact_label(contact)))
