"""First contact: register, choose language and timezone, accept the terms."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.conversation import Access, Button, Context, EventKind, Keyboard, Router
from bot.i18n import SUGGESTED_TIMEZONES, SUPPORTED_LOCALES, I18n, Translator, language_name
from bot.notify import MemberNotifier
from bot.services.terms import TERMS_VERSION
from bot.services.timezones import UnknownTimezoneError
from handlers import texts
from handlers.optin import subscribe_from_link
from handlers.states import Onboarding, Preferences
from models import Member

router = Router("start")


@router.command("start", access=Access.ANYONE)
@router.event(EventKind.FOLLOW)
async def start(ctx: Context) -> None:
    """Register on first contact, or greet a returning member.

    "/start <token>" comes from a list's opt-in link: that is a recipient subscribing.
    """
    if ctx.event.kind is EventKind.COMMAND and ctx.event.text:
        await subscribe_from_link(ctx, ctx.event.text)
        return
    account = ctx.account or await ctx.services.members.register(
        ctx.event.platform,
        ctx.event.user_id,
        locale=ctx.t.locale,
        display_name=ctx.event.display_name,
    )
    ctx.account = account
    member = ctx.require_member()
    if ctx.services.members.may_use_service(member):
        await ctx.state.clear()
        _ = ctx.t.gettext
        await ctx.reply.send(_("Welcome back!") + "\n\n" + texts.help_text(ctx.t))
        return
    await ctx.state.set_state(Onboarding.language)
    _ = ctx.t.gettext
    await ctx.reply.send(
        _("Welcome to Broadside, the campaign manager you run from chat.")
        + "\n\n"
        + _("First, choose your language:"),
        buttons=language_buttons(),
    )


def language_buttons() -> list[list[Button]]:
    """One button per supported language, labelled in that language."""
    return [[Button(language_name(locale), f"lang:{locale}")] for locale in SUPPORTED_LOCALES]


def timezone_buttons(locale: str) -> list[list[Button]]:
    """The timezones most members with this language pick."""
    return [[Button(zone, f"tz:{zone}")] for zone in SUGGESTED_TIMEZONES.get(locale, ("UTC",))]


@router.button("lang:", access=Access.REGISTERED)
async def choose_language(ctx: Context) -> None:
    """Store the chosen language; during onboarding, go on to the timezone."""
    member = ctx.require_member()
    locale = (ctx.event.data or "").removeprefix("lang:")
    if locale not in SUPPORTED_LOCALES:
        await ctx.reply.send(texts.stale_button(ctx.t))
        return
    await ctx.services.members.set_locale(member, locale)
    ctx.retranslate(member)
    _ = ctx.t.gettext
    if await ctx.state.get_state() == Onboarding.language.state:
        await ctx.state.set_state(Onboarding.timezone)
        await ask_timezone(ctx)
        return
    await ctx.reply.send(_("Language changed: {language}.").format(language=language_name(locale)))


async def ask_timezone(ctx: Context) -> None:
    """Offer timezone buttons, or typing a name."""
    _ = ctx.t.gettext
    await ctx.reply.send(
        _("Which timezone are you in? Pick one, or type its name (for example Europe/Madrid)."),
        buttons=timezone_buttons(ctx.t.locale),
    )


@router.button("tz:", access=Access.REGISTERED)
async def timezone_button(ctx: Context) -> None:
    """A suggested timezone was picked."""
    await _set_timezone(ctx, (ctx.event.data or "").removeprefix("tz:"))


@router.text(state=Onboarding.timezone.state, access=Access.REGISTERED)
@router.text(state=Preferences.timezone.state, access=Access.REGISTERED)
async def timezone_typed(ctx: Context) -> None:
    """A timezone name was typed."""
    await _set_timezone(ctx, ctx.event.text)


async def _set_timezone(ctx: Context, name: str) -> None:
    member = ctx.require_member()
    _ = ctx.t.gettext
    try:
        zone = await ctx.services.members.set_timezone(member, name)
    except UnknownTimezoneError:
        await ctx.reply.send(
            _(
                'I don\'t know the timezone "{name}". Try a name like Europe/Madrid or Asia/Tokyo.'
            ).format(name=name[:64]),
            buttons=timezone_buttons(ctx.t.locale),
        )
        return
    ctx.retranslate(member)
    onboarding = await ctx.state.get_state() in (
        Onboarding.timezone.state,
        Onboarding.language.state,
    )
    if onboarding or not ctx.services.members.may_use_service(member):
        await ctx.state.set_state(Onboarding.terms)
        await ask_terms(ctx)
        return
    await ctx.state.clear()
    await ctx.reply.send(
        _("Timezone set to {zone}. It is now {time} there.").format(
            zone=zone, time=ctx.t.datetime(ctx.services.clock(), fmt="short")
        )
    )


def terms_announcement(i18n: I18n, notifier: MemberNotifier) -> Callable[[Member], Awaitable[None]]:
    """How a worker tells a member, on each of their chats, that the terms changed: the
    summary and the buttons to read and accept the new version."""

    async def announce(member: Member) -> None:
        t = i18n.translator(member.locale, member.timezone)
        _ = t.gettext
        text = (
            _(
                "We have updated the terms and privacy notice (now version {version}). Please "
                "read and accept them to go on composing and launching; campaigns already "
                "running carry on."
            ).format(version=TERMS_VERSION)
            + "\n\n"
            + texts.privacy_summary(t)
        )
        await notifier.reach(
            member.id, lambda responder: responder.send(text, buttons=_terms_buttons(t))
        )

    return announce


def _terms_buttons(t: Translator) -> Keyboard:
    _ = t.gettext
    return [
        [Button(_("I accept"), "terms:accept")],
        [Button(_("Read the full notice"), "terms:read")],
    ]


async def ask_terms(ctx: Context) -> None:
    """Show the terms summary with the accept button; nothing else works until accepted."""
    _ = ctx.t.gettext
    await ctx.reply.send(
        _(
            "Before you start, please read and accept the terms and privacy notice "
            "(version {version})."
        ).format(version=TERMS_VERSION)
        + "\n\n"
        + texts.privacy_summary(ctx.t),
        buttons=_terms_buttons(ctx.t),
    )


@router.button("terms:read", access=Access.REGISTERED)
async def read_terms(ctx: Context) -> None:
    """The full privacy notice, then the accept prompt again."""
    await ctx.reply.send(texts.privacy_notice(ctx.t))
    if not ctx.services.members.may_use_service(ctx.require_member()):
        await ask_terms(ctx)


@router.button("terms:accept", access=Access.REGISTERED)
async def accept_terms(ctx: Context) -> None:
    """Record acceptance with its version and time, then show what the member can do."""
    member = ctx.require_member()
    await ctx.services.members.accept_terms(member)
    await ctx.state.clear()
    _ = ctx.t.gettext
    await ctx.reply.send(_("Thank you, you're all set.") + "\n\n" + texts.help_text(ctx.t))
