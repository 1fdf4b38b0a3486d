"""Joining a Telegram account and a LINE account into one member with a one-time code."""

from __future__ import annotations

from bot.conversation import Access, Context, Router
from bot.services.members import LINK_CODE_TTL, LinkError, LinkRefusal
from handlers import fallback

router = Router("link")


@router.command("link", access=Access.REGISTERED)
async def link(ctx: Context) -> None:
    """Without a code: issue one. With a code: join this chat to the member who issued it."""
    code = ctx.event.text.strip()
    account = ctx.account
    if account is None:  # pragma: no cover - Access.REGISTERED guarantees an account
        return
    _ = ctx.t.gettext
    if not code:
        # Redeeming is open to a fresh account (that is how it joins); issuing is a member's act.
        if not ctx.services.members.may_use_service(ctx.require_member()):
            await fallback.onboarding(ctx)
            return
        link_code = await ctx.services.members.create_link_code(account)
        await ctx.reply.send(
            _(
                "Your link code is {code}. On your other chat app (Telegram or LINE), send "
                "/link {code} to me within {minutes} minutes."
            ).format(code=link_code.code, minutes=int(LINK_CODE_TTL.total_seconds() // 60))
        )
        return
    try:
        member = await ctx.services.members.redeem_link_code(account, code)
    except LinkError as error:
        await ctx.reply.send(_refusal_text(ctx, error.reason))
        return
    ctx.retranslate(member)
    await ctx.state.clear()
    await ctx.reply.send(
        ctx.t.gettext(
            "Linked! This chat now belongs to the same Broadside account as your other chat."
        )
    )


def _refusal_text(ctx: Context, reason: LinkRefusal) -> str:
    _ = ctx.t.gettext
    return {
        LinkRefusal.UNKNOWN: _(
            "That link code is not valid. Send /link on your other chat app to get a new one."
        ),
        LinkRefusal.EXPIRED: _(
            "That link code has expired. Send /link on your other chat app to get a new one."
        ),
        LinkRefusal.SAME_PLATFORM: _(
            "That code came from this chat app. Send it in your other one: a Telegram "
            "code goes to LINE, and a LINE code to Telegram."
        ),
        LinkRefusal.ALREADY_LINKED: _("These accounts are already linked."),
        LinkRefusal.OWN_DATA: _(
            "This chat has lists or campaigns of its own, which linking would leave behind. "
            "Link the other way round: send /link here and the code in your other chat app."
        ),
    }[reason]
