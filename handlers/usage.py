"""/usage: the month so far by channel, and any month's itemised statement (CSV) and chart."""

from __future__ import annotations

import re

from bot.conversation import Button, Context, Keyboard, Router
from bot.i18n import Translator
from bot.services.usage import ChannelUsage, Month
from handlers import texts
from handlers.campaign_texts import CHANNEL_NAMES
from handlers.texts import N_
from models import Channel

router = Router("usage")

_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
STATEMENT_COLUMNS = (
    N_("time"),
    N_("channel"),
    N_("sending account"),
    N_("recipient"),
    N_("units"),
    N_("campaign"),
    N_("status"),
)


@router.command("usage")
async def show_usage(ctx: Context) -> None:
    """This month so far, or the month typed after the command (/usage 2026-10)."""
    month = _month(ctx, ctx.event.text.strip()) if ctx.event.text.strip() else _this_month(ctx)
    if month is None:
        await ctx.reply.send(
            ctx.t.gettext("Send the month like this: /usage 2026-10 (year, then month).")
        )
        return
    await _show(ctx, month)


@router.button("usage:month:")
async def other_month(ctx: Context) -> None:
    """The month a button names."""
    month = await _button_month(ctx, "usage:month:")
    if month is not None:
        await _show(ctx, month)


@router.button("usage:csv:")
async def statement(ctx: Context) -> None:
    """The month's records, itemised, as CSV (zipped when large)."""
    month = await _button_month(ctx, "usage:csv:")
    if month is None:
        return
    columns = [ctx.t.gettext(column) for column in STATEMENT_COLUMNS]
    name, content = await ctx.services.usage.statement(ctx.require_member(), month, columns)
    caption = ctx.t.gettext("Usage statement, {month}").format(month=_title(ctx.t, month))
    await ctx.reply.send_document(name, content, caption=caption)


@router.button("usage:chart:")
async def chart(ctx: Context) -> None:
    """Billed units per day of the month, as a picture."""
    month = await _button_month(ctx, "usage:chart:")
    if month is None:
        return
    days = await ctx.services.usage.by_day(ctx.require_member(), month)
    title = ctx.t.gettext("Messages per day, {month}").format(month=_title(ctx.t, month))
    columns = [(str(day.day), units) for day, units in days.items()]
    chart = await ctx.services.charts.column_chart(title, columns)
    await ctx.reply.send_image(f"usage-{month.key}.png", chart)


async def _show(ctx: Context, month: Month) -> None:
    usage = await ctx.services.usage.by_channel(ctx.require_member(), month)
    current = month == _this_month(ctx)
    await ctx.reply.send(
        usage_text(ctx.t, month, usage, current=current), buttons=_buttons(ctx.t, month)
    )


def usage_text(t: Translator, month: Month, usage: list[ChannelUsage], *, current: bool) -> str:
    """The month by channel: billed units, and refusals that cost nothing."""
    _ = t.gettext
    title = _title(t, month)
    head = _("Usage in {month} so far:") if current else _("Usage in {month}:")
    lines = [head.format(month=title)]
    if not usage:
        lines.append(_("No messages sent."))
    for item in usage:
        line = t.ngettext("{channel}: {count} message", "{channel}: {count} messages", item.units)
        line = line.format(channel=channel_name(item.channel), count=t.number(item.units))
        if item.failed:
            line += " " + _("({count} refused by the platform, not billed)").format(
                count=t.number(item.failed)
            )
        lines.append("• " + line)
    total = sum(item.units for item in usage)
    lines.append(_("Total: {count}").format(count=t.number(total)))
    return "\n".join(lines)


def _buttons(t: Translator, month: Month) -> Keyboard:
    _ = t.gettext
    return [
        [Button(_("Statement (CSV)"), f"usage:csv:{month.key}")],
        [Button(_("Chart by day"), f"usage:chart:{month.key}")],
        [Button(_("Previous month"), f"usage:month:{month.previous().key}")],
    ]


async def _button_month(ctx: Context, prefix: str) -> Month | None:
    """The month a button's payload names; a payload naming none is answered as stale."""
    month = _month(ctx, (ctx.event.data or "").removeprefix(prefix))
    if month is None:
        await ctx.reply.send(texts.stale_button(ctx.t))
    return month


def _this_month(ctx: Context) -> Month:
    return Month.of(ctx.services.clock(), ctx.t.timezone)


def _month(ctx: Context, text: str) -> Month | None:
    """ "2026-10" as a month on the member's calendar; None when it is no month (or a future
    one, which has no usage)."""
    match = _MONTH.fullmatch(text.strip())
    if match is None:
        return None
    year, number = int(match.group(1)), int(match.group(2))
    if not 1 <= number <= 12 or year < 2000:
        return None
    month = Month(year, number, ctx.t.timezone)
    return None if month.start > ctx.services.clock() else month


def _title(t: Translator, month: Month) -> str:
    return t.month(month.start.date())


def channel_name(channel: str) -> str:
    """A channel's name as members know it."""
    try:
        return CHANNEL_NAMES[Channel(channel)]
    except ValueError:
        return channel
