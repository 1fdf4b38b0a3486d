"""Recipients' replies in the member chat platforms: keywords answered, nothing else is.

Recipients never see menus. A person who is nobody's member but is on some member's list
(they came through an opt-in link, or a campaign reached them) gets keyword confirmations;
anything else they write gets no answer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.conversation import Context
from bot.conversation.dispatcher import reply_text
from bot.i18n import I18n, Translator
from bot.platforms.whatsapp import TextReply
from bot.services import Services
from bot.services.optout.keywords import Intent
from bot.services.optout.service import Answer, Sender
from models import Channel, Member


async def answer(ctx: Context) -> bool:
    """Handle a text from someone who is not a working member; False when they are nobody's
    recipient either (the caller greets a stranger)."""
    sender = Sender(Channel(ctx.event.platform.value), ctx.event.user_id)
    outcome = await ctx.services.recipients.on_reply(sender, reply_text(ctx.event) or "")
    if outcome is None:
        return False
    if outcome.intent is not None:
        t = ctx.i18n.recipient_translator(outcome.language or ctx.event.language_code)
        await ctx.reply.send(confirmation(t, outcome))
    return True


def confirmation(t: Translator, outcome: Answer) -> str:
    """The answer to a keyword, in the recipient's language, with how to undo it."""
    _ = t.gettext
    name = _sender_name(t, outcome.members)
    if outcome.intent is Intent.STOP:
        return _(
            "You will not receive any more messages from {name}. "
            "To receive them again, reply START."
        ).format(name=name)
    if outcome.intent is Intent.STOP_ALL:
        return _(
            "You will not receive any more messages from anyone who reached you here "
            "through Broadside. To hear from {name} again, reply START."
        ).format(name=name)
    if outcome.intent is Intent.START:
        return _(
            "You will receive messages from {name} again. Reply STOP at any time to stop them."
        ).format(name=name)
    return _(
        "These messages come from {name}, sent with Broadside. Reply STOP to stop receiving "
        "them, or START to receive them again."
    ).format(name=name)


def _sender_name(t: Translator, members: list[Member]) -> str:
    names = [member.display_name for member in members[:1] if member.display_name]
    return names[0] if names else t.gettext("this sender")


async def answer_whatsapp(
    services: Services, i18n: I18n, send: Callable[[str, str], Awaitable[object]], reply: TextReply
) -> None:
    """A WhatsApp message from a recipient: keywords applied and confirmed by `send(number,
    text)` (a reply inside the 24-hour window the person just opened); nothing else answered.
    """
    outcome = await services.recipients.on_reply(Sender(Channel.WHATSAPP, reply.phone), reply.text)
    if outcome is not None and outcome.intent is not None:
        await send(reply.phone, confirmation(i18n.recipient_translator(outcome.language), outcome))
