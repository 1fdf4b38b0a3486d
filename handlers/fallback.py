"""The catch-all, included last: anything no other route answered gets a short, translated hint."""

from __future__ import annotations

from bot.conversation import Access, Context, EventKind, Router
from handlers import texts
from handlers.start import ask_terms

router = Router("fallback")


@router.event(*EventKind, access=Access.ANYONE)
async def fallback(ctx: Context) -> None:
    """Unknown commands, stale buttons, stickers and photos, and unexpected text."""
    if ctx.member is None:
        await unregistered(ctx)
        return
    _ = ctx.t.gettext
    kind = ctx.event.kind
    if kind is EventKind.COMMAND:
        text = _("I don't know the command /{command}. Send /help to see what I can do.").format(
            command=(ctx.event.command or "")[:32]
        )
    elif kind is EventKind.BUTTON:
        text = texts.stale_button(ctx.t)
    elif kind in (EventKind.UNSUPPORTED, EventKind.IMAGE):
        text = _("I can only read text, buttons and files (CSV, Excel, vCard) here.")
    else:
        text = _("I didn't understand that. Send /help to see what I can do.")
    await ctx.reply.send(text)


async def unregistered(ctx: Context) -> None:
    """Someone who never started the bot."""
    await ctx.reply.send(ctx.t.gettext("Hello! Send /start to begin using Broadside."))


async def onboarding(ctx: Context) -> None:
    """A registered member who has not accepted the current terms tried to use a feature."""
    await ctx.reply.send(
        ctx.t.gettext("Please accept the terms first; then you can use everything.")
    )
    await ask_terms(ctx)


async def failure(ctx: Context) -> None:
    """A handler raised: apologise without details; the log has them, by id."""
    await ctx.reply.send(
        ctx.t.gettext("Sorry, something went wrong on our side. Please try again in a moment.")
    )
