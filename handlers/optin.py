"""Recipients joining a list through its opt-in link, and sharing their phone number."""

from __future__ import annotations

from bot.conversation import Access, Context, EventKind, Router

router = Router("optin")


async def subscribe_from_link(ctx: Context, token: str) -> None:
    """Someone opened a list's opt-in link: subscribe them and greet them in their language."""
    event = ctx.event
    subscription = await ctx.services.optin.subscribe(
        token,
        platform=event.platform,
        user_id=event.user_id,
        first_name=event.display_name,
        language=ctx.t.locale,
    )
    _ = ctx.t.gettext
    if subscription is None:
        await ctx.reply.send(_("This subscription link is no longer valid."))
        return
    sender = subscription.member.display_name or subscription.contact_list.name
    await ctx.reply.send(
        _(
            'You\'re subscribed to "{list}" from {sender}. Reply STOP at any time to stop '
            "these messages."
        ).format(list=subscription.contact_list.name, sender=sender)
    )
    await ctx.reply.ask_phone(
        _("You can share your phone number so {sender} knows it's you. This is optional.").format(
            sender=sender
        ),
        label=_("Share my phone number"),
    )


@router.event(EventKind.CONTACT, access=Access.ANYONE)
async def phone_shared(ctx: Context) -> None:
    """A subscriber shared their own number: match it to the members' imported contacts."""
    await ctx.services.optin.share_phone(
        platform=ctx.event.platform, user_id=ctx.event.user_id, phone=ctx.event.text
    )
    await ctx.reply.send(ctx.t.gettext("Thank you, your number is saved."))
