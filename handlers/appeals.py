"""A suspended member: what every closed command answers, and /appeal, which asks the
operator for a personal review. Also the texts the member reads about a suspension."""

from __future__ import annotations

from bot.conversation import Access, Button, Context, Router
from bot.i18n import Translator
from bot.services.appeals import MAX_APPEAL, AppealRefused
from handlers.states import AppealDialog
from models import Member, MemberStatus

router = Router("appeals")


def suspended_text(t: Translator, member: Member) -> str:
    """Why the member is suspended, since when, and what they can still do."""
    return t.gettext(
        "Your account is suspended since {date}: {reason}\n\nNothing is sent meanwhile. To ask "
        "the operator for a personal review, send /appeal with your message. You can still "
        "take a copy of your data with /mydata or delete your account with /deleteaccount."
    ).format(
        date=t.datetime(member.suspended_at) if member.suspended_at else "",
        reason=member.suspended_reason or "",
    )


def lifted_text(t: Translator) -> str:
    """The member's suspension is over."""
    return t.gettext(
        "Your account's suspension is lifted: you can use Broadside again. Campaigns that the "
        "suspension paused stay paused: resume them from /campaigns when you are ready. "
        "Scheduled campaigns whose time came meanwhile start now."
    )


async def suspended_gate(ctx: Context) -> None:
    """Anything but the account's own commands from a suspended member."""
    await ctx.reply.send(suspended_text(ctx.t, ctx.require_member()))


@router.command("appeal", access=Access.ACCOUNT)
async def appeal(ctx: Context) -> None:
    """ "/appeal <message>" files it; "/appeal" alone asks for the message."""
    member = ctx.require_member()
    _ = ctx.t.gettext
    if member.status is not MemberStatus.SUSPENDED:
        await ctx.reply.send(_("Your account is not suspended: there is nothing to appeal."))
        return
    if ctx.event.text:
        await _file(ctx, member, ctx.event.text)
        return
    await ctx.state.set_state(AppealDialog.text)
    await ctx.reply.send(
        _(
            "Write your message to the operator: why the suspension should be lifted, and "
            "anything they should know (up to {count} characters)."
        ).format(count=ctx.t.number(MAX_APPEAL)),
    )


@router.text(state=AppealDialog.text.state, access=Access.ACCOUNT)
async def appeal_text(ctx: Context) -> None:
    """The message asked for by /appeal."""
    await ctx.state.clear()
    await _file(ctx, ctx.require_member(), ctx.event.text or "")


async def _file(ctx: Context, member: Member, text: str) -> None:
    _ = ctx.t.gettext
    try:
        filed = await ctx.services.appeals.file(member, text)
    except AppealRefused:
        await ctx.reply.send(_("Your account is not suspended: there is nothing to appeal."))
        return
    if filed.added:
        await ctx.reply.send(
            _("Added to your open appeal. The operator will answer here, in this chat.")
        )
    else:
        await ctx.reply.send(
            _(
                "Your appeal is sent to the operator, who will review your account personally "
                "and answer here, in this chat."
            )
        )
    appeal_id, member_id = filed.appeal.id, member.id
    await ctx.outbox.operators.send(
        lambda t: t.gettext("Member {member} appealed their suspension.").format(member=member_id),
        buttons=lambda t: [[Button(t.gettext("Open the appeal"), f"adm:ap:{appeal_id}")]],
    )
