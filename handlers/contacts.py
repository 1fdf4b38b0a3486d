"""/contact: find one contact, see everything held about them, correct it, delete (restorable)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiogram.fsm.state import State
from babel import Locale

from bot.conversation import Button, Context, Router
from bot.i18n import RECIPIENT_LOCALES
from bot.services.lists import RESTORE_WINDOW
from bot.services.lists.contacts import (
    MAX_NAME,
    ContactNotFoundError,
    DuplicatePhoneError,
    InvalidLanguageError,
    InvalidNameError,
    InvalidPhoneError,
)
from bot.services.lists.imports import member_region
from handlers import texts
from handlers.states import ContactDialog
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
    if contact is not None:
        await _show_card(ctx, contact)


async def _show_card(ctx: Context, contact: Contact) -> None:
    """The contact card: what is held, with the buttons to correct or delete it."""
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
        "\n".join(lines),
        buttons=[
            [
                Button(_("Change name"), f"ctc:name:{contact.id}"),
                Button(_("Change phone"), f"ctc:phone:{contact.id}"),
            ],
            [
                Button(_("Change language"), f"ctc:lang:{contact.id}"),
                Button(_("Change tags"), f"ctc:tags:{contact.id}"),
            ],
            [Button(_("Delete"), f"ctc:delete:{contact.id}")],
        ],
    )


async def _ask(ctx: Context, prefix: str, state: State, question: str) -> None:
    """Wait for the typed value of one field of the contact the button names."""
    contact = await _resolve(ctx, prefix, ctx.services.contacts.get)
    if contact is None:
        return
    await ctx.state.set_state(state)
    await ctx.state.set_data({"contact_id": contact.id})
    await ctx.reply.send(question.format(name=contact_label(contact)))


async def _typed(ctx: Context) -> tuple[Member, int]:
    """The member and the contact id the dialog was opened for; the dialog ends here."""
    data = await ctx.state.get_data()
    await ctx.state.clear()
    return ctx.require_member(), int(data.get("contact_id", 0))


@router.button("ctc:name:")
async def ask_name(ctx: Context) -> None:
    """Ask for the new name."""
    question = ctx.t.gettext(
        'Send the new name for "{name}": first name, then last name (or a single word).'
    )
    await _ask(ctx, "ctc:name:", ContactDialog.name, question)


@router.text(state=ContactDialog.name.state)
async def rename(ctx: Context) -> None:
    """Store the new name and show the card again."""
    member, contact_id = await _typed(ctx)
    try:
        contact = await ctx.services.contacts.rename(member, contact_id, ctx.event.text)
    except InvalidNameError:
        await ctx.reply.send(
            ctx.t.gettext(
                "A name must have between 1 and {limit} characters. Nothing was changed."
            ).format(limit=MAX_NAME)
        )
        return
    except ContactNotFoundError:
        await ctx.reply.send(texts.stale_button(ctx.t))
        return
    await _show_card(ctx, contact)


@router.button("ctc:phone:")
async def ask_phone(ctx: Context) -> None:
    """Ask for the new number."""
    question = ctx.t.gettext('Send the new phone number for "{name}".')
    await _ask(ctx, "ctc:phone:", ContactDialog.phone, question)


@router.text(state=ContactDialog.phone.state)
async def change_phone(ctx: Context) -> None:
    """Store the new number (valid, and no other contact's) and show the card again."""
    member, contact_id = await _typed(ctx)
    _ = ctx.t.gettext
    try:
        contact = await ctx.services.contacts.change_phone(
            member, contact_id, ctx.event.text, region=member_region(member)
        )
    except InvalidPhoneError:
        await ctx.reply.send(
            _(
                '"{value}" is not a valid phone number. Nothing was changed. '
                "Include the country code (for example +34) if the number is from abroad."
            ).format(value=ctx.event.text.strip()[:64])
        )
        return
    except DuplicatePhoneError as error:
        await ctx.reply.send(
            _('"{name}" already has this number. Nothing was changed.').format(
                name=contact_label(error.other)
            )
        )
        return
    except ContactNotFoundError:
        await ctx.reply.send(texts.stale_button(ctx.t))
        return
    await _show_card(ctx, contact)


@router.button("ctc:lang:")
async def ask_language(ctx: Context) -> None:
    """Offer the languages recipients can be written to in."""
    contact = await _resolve(ctx, "ctc:lang:", ctx.services.contacts.get)
    if contact is None:
        return
    await ctx.reply.send(
        ctx.t.gettext('Which language should "{name}" receive messages in?').format(
            name=contact_label(contact)
        ),
        buttons=[
            [Button(_language_name(code), f"ctc:setlang:{contact.id}:{code}")]
            for code in RECIPIENT_LOCALES
        ],
    )


def _language_name(code: str) -> str:
    """A language named in itself, as its speakers would look for it."""
    return Locale.parse(code).get_display_name(code).capitalize()


@router.button("ctc:setlang:")
async def set_language(ctx: Context) -> None:
    """Store the language tapped and show the card again."""
    raw_id, _sep, code = (ctx.event.data or "").removeprefix("ctc:setlang:").partition(":")
    try:
        contact = await ctx.services.contacts.set_language(
            ctx.require_member(), int(raw_id) if raw_id.isdigit() else 0, code
        )
    except (ContactNotFoundError, InvalidLanguageError):
        await ctx.reply.send(texts.stale_button(ctx.t))
        return
    await _show_card(ctx, contact)


@router.button("ctc:tags:")
async def ask_tags(ctx: Context) -> None:
    """Ask for the tags."""
    question = ctx.t.gettext(
        'Send the tags for "{name}", separated by commas (for example: vip, madrid).'
    )
    await _ask(ctx, "ctc:tags:", ContactDialog.tags, question)


@router.text(state=ContactDialog.tags.state)
async def set_tags(ctx: Context) -> None:
    """Store the tags and show the card again."""
    member, contact_id = await _typed(ctx)
    try:
        contact = await ctx.services.contacts.set_tags(
            member, contact_id, ctx.event.text.split(",")
        )
    except ContactNotFoundError:
        await ctx.reply.send(texts.stale_button(ctx.t))
        return
    await _show_card(ctx, contact)


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
