"""Help, language, timezone and the privacy notice."""

from __future__ import annotations

from bot.conversation import Access, Context, Router
from bot.services.terms import TERMS_VERSION
from handlers import texts
from handlers.start import ask_timezone, language_buttons
from handlers.states import Preferences

router = Router("settings")


@router.command("help", access=Access.REGISTERED)
async def show_help(ctx: Context) -> None:
    """The list of commands."""
    await ctx.reply.send(texts.help_text(ctx.t))


@router.command("language", access=Access.REGISTERED)
async def change_language(ctx: Context) -> None:
    """Offer the supported languages."""
    await ctx.reply.send(ctx.t.gettext("Choose your language:"), buttons=language_buttons())


@router.command("timezone", access=Access.REGISTERED)
async def change_timezone(ctx: Context) -> None:
    """Show the current timezone and offer others."""
    member = ctx.require_member()
    _ = ctx.t.gettext
    await ctx.reply.send(_("Your timezone is {zone}.").format(zone=member.timezone))
    if ctx.services.members.may_use_service(member):
        await ctx.state.set_state(Preferences.timezone)
    await ask_timezone(ctx)


@router.command("privacy", access=Access.REGISTERED)
async def show_privacy(ctx: Context) -> None:
    """The full notice, with the version and when the member accepted it."""
    member = ctx.require_member()
    _ = ctx.t.gettext
    if member.terms_accepted_at is not None:
        status = _("You accepted version {version} on {date}.").format(
            version=member.terms_version, date=ctx.t.datetime(member.terms_accepted_at)
        )
    else:
        status = _("Current version: {version}. You have not accepted it yet.").format(
            version=TERMS_VERSION
        )
    await ctx.reply.send(texts.privacy_notice(ctx.t) + "\n\n" + status)
