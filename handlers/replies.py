"""/replies: what recipients wrote back, and the notice a member gets when they do."""

from __future__ import annotations

from bot.conversation import Context, Router
from bot.i18n import Translator
from models import InboundReply

router = Router("replies")

SHOWN = 10
PREVIEW_CHARS = 300  # a notice quotes the start; /replies shows the rest


@router.command("replies")
async def replies(ctx: Context) -> None:
    """The latest replies, newest first."""
    member = ctx.member
    assert member is not None  # the route is for members
    latest = await ctx.services.recipients.replies(member, limit=SHOWN)
    t = ctx.t
    if not latest:
        await ctx.reply.send(t.gettext("No replies from recipients yet."))
        return
    lines = [t.gettext("Latest replies from your recipients:")]
    lines += [_line(t, reply) for reply in latest]
    await ctx.reply.send("\n\n".join(lines))


def reply_notice(t: Translator, reply: InboundReply) -> str:
    """The message telling a member that a recipient wrote back."""
    return t.gettext("A recipient wrote back: {reply}\nSend /replies to see the latest.").format(
        reply=_line(t, reply, limit=PREVIEW_CHARS)
    )


def _line(t: Translator, reply: InboundReply, *, limit: int | None = None) -> str:
    text = reply.text if limit is None or len(reply.text) <= limit else reply.text[:limit] + "…"
    return t.gettext("{when}, {who} on {channel}: {text}").format(
        when=t.datetime(reply.received_at, fmt="short"),
        who=_who(reply),
        channel=reply.channel.capitalize(),
        text=text,
    )


def _who(reply: InboundReply) -> str:
    contact = reply.contact if reply.contact_id is not None else None  # type: ignore[attr-defined]
    names = [contact.first_name, contact.last_name] if contact is not None else []
    name = " ".join(part for part in names if part)
    return name or reply.address
