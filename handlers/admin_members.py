"""/admin Members: search, and the member card with what the operator can do to it (the
actions themselves are in handlers/admin_actions.py).

Every route is Access.OPERATOR (the dispatcher checks the sender against the configured
operators for each event); every member id in a payload is read again from the database.
"""

from __future__ import annotations

from bot.conversation import Access, Button, Context, Keyboard, Router
from bot.i18n import Translator
from bot.services.audit import operator_name
from bot.services.member_admin import MemberCard
from handlers.admin_views import card_text
from handlers.states import AdminDialog
from models import Member, MemberStatus

router = Router("admin_members")


def operator(ctx: Context) -> str:
    """How the audit log names the operator behind this event."""
    return operator_name(ctx.event.platform, ctx.event.user_id)


def payload_id(data: str | None, prefix: str) -> int:
    """The number after `prefix` in a payload; 0 (no such row) when it is not one."""
    raw = (data or "").removeprefix(prefix)
    return int(raw) if raw.isdigit() and len(raw) < 12 else 0


def member_translator(ctx: Context, member: Member) -> Translator:
    """The member's language and zone, for what the outbox sends them."""
    return ctx.i18n.translator(member.locale, member.timezone)


@router.button("adm:members", access=Access.OPERATOR)
async def ask_search(ctx: Context) -> None:
    """Search by member id, chat account id, or part of a name."""
    await ctx.state.set_state(AdminDialog.search)
    await ctx.reply.send(
        ctx.t.gettext("Type a member number, a chat account id, or part of a name.")
    )


@router.text(state=AdminDialog.search.state, access=Access.OPERATOR)
async def search(ctx: Context) -> None:
    """The members found, one button each."""
    _ = ctx.t.gettext
    found = await ctx.services.directory.search(ctx.event.text or "")
    if not found:
        await ctx.reply.send(_("No member matches. Type something else to search again."))
        return
    await ctx.state.clear()
    buttons: Keyboard = [
        [Button(f"{member.id} · {member.display_name or '-'}", f"adm:m:{member.id}")]
        for member in found
    ]
    await ctx.reply.send(_("Members found:"), buttons=buttons)


@router.button("adm:m:", access=Access.OPERATOR)
async def open_card(ctx: Context) -> None:
    """A member's card with what the operator can do."""
    await show_card(ctx, payload_id(ctx.event.data, "adm:m:"))


async def show_card(ctx: Context, member_id: int) -> None:
    """The card of a member, or that there is none."""
    card = await ctx.services.directory.card(member_id)
    if card is None:
        await ctx.reply.send(ctx.t.gettext("There is no such member (any more)."))
        return
    await ctx.reply.send(card_text(ctx.t, card), buttons=card_buttons(ctx.t, card))


def card_buttons(t: Translator, card: MemberCard) -> Keyboard:
    """What may be done to this member in their status."""
    _ = t.gettext
    member_id, status = card.member.id, card.member.status
    rows: Keyboard = [
        [Button(_("Open lists"), f"adm:do:lists:{member_id}")],
        [Button(_("Open contacts"), f"adm:do:contacts:{member_id}")],
        [Button(_("Open campaigns"), f"adm:do:campaigns:{member_id}")],
    ]
    if status is MemberStatus.SUSPENDED:
        rows.append([Button(_("Lift the suspension"), f"adm:do:lift:{member_id}")])
    elif status is not MemberStatus.DELETED:
        rows.append([Button(_("Suspend"), f"adm:do:suspend:{member_id}")])
    if status is MemberStatus.DELETED:
        rows.append([Button(_("Restore the account"), f"adm:do:restore:{member_id}")])
    else:
        rows.append([Button(_("Delete the account"), f"adm:do:delete:{member_id}")])
    return rows
