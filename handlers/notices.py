"""The operator's notices as members read them, and /notices, where a member decides whether
promotional ones reach them (service and security notices always do)."""

from __future__ import annotations

from bot.conversation import Access, Button, Context, Router
from bot.i18n import I18n, Translator
from bot.notify import MemberNotifier
from bot.services.announcements import NoticeSender
from handlers import texts
from handlers.texts import N_
from models import Member, NoticeKind

router = Router("notices")

# How each kind of notice opens, in the member's language; the operator's text follows as
# written.
_FRAMES = {
    NoticeKind.SERVICE: N_("Service notice from Broadside:"),
    NoticeKind.BREACH: N_("Security notice from Broadside:"),
    NoticeKind.PROMOTIONAL: N_("News from Broadside:"),
}


def notice_text(t: Translator, kind: NoticeKind, text: str) -> str:
    """The notice framed for one member; a promotional one says how to turn them off."""
    _ = t.gettext
    parts = [_(_FRAMES[kind]), text]
    if kind is NoticeKind.PROMOTIONAL:
        parts.append(_("You can turn off news from Broadside with /notices."))
    return "\n\n".join(parts)


def notice_sender(i18n: I18n, notifier: MemberNotifier) -> NoticeSender:
    """How a worker sends a notice to each of a member's chats, in their language."""

    async def send(member: Member, kind: NoticeKind, text: str) -> int:
        t = i18n.translator(member.locale, member.timezone)
        return await notifier.send(member.id, notice_text(t, kind, text))

    return send


@router.command("notices", access=Access.REGISTERED)
async def show_notices(ctx: Context) -> None:
    """The member's choice, and the button that changes it."""
    await _card(ctx, ctx.require_member())


@router.button("notices:", access=Access.REGISTERED)
async def set_promotions(ctx: Context) -> None:
    """ "notices:on" or "notices:off"."""
    choice = (ctx.event.data or "").removeprefix("notices:")
    if choice not in ("on", "off"):
        await ctx.reply.send(texts.stale_button(ctx.t))
        return
    member = ctx.require_member()
    await ctx.services.announcements.set_promotions(member, wanted=choice == "on")
    await _card(ctx, member)


async def _card(ctx: Context, member: Member) -> None:
    _ = ctx.t.gettext
    if member.promotions:
        state = _("News from Broadside (new features, offers) reaches you.")
        button = Button(_("Turn news off"), "notices:off")
    else:
        state = _("News from Broadside (new features, offers) is off.")
        button = Button(_("Turn news on"), "notices:on")
    always = _(
        "Service notices and security notices always reach you, whatever you choose here: "
        "they are about your account and your data."
    )
    await ctx.reply.send(f"{state}\n{always}", buttons=[[button]])
