"""/admin: the operator's menu in chat. Every route is Access.OPERATOR: the dispatcher checks
the sender against the configured operators for each event, whatever its payload says."""

from __future__ import annotations

from bot.conversation import Access, Button, Context, Router
from bot.i18n import Translator
from bot.services.operators import Statistics
from handlers.usage import channel_name

router = Router("admin")


@router.command("admin", access=Access.OPERATOR)
async def menu(ctx: Context) -> None:
    """What the operator can open."""
    _ = ctx.t.gettext
    await ctx.reply.send(
        _("Operator menu."),
        buttons=[
            [Button(_("Service statistics"), "adm:stats")],
            [Button(_("Members"), "adm:members")],
            [Button(_("Appeals"), "adm:appeals")],
            [Button(_("Review queue"), "adm:review")],
            [Button(_("Screening rules"), "adm:rules")],
            [Button(_("Announcements"), "adm:notice")],
            [Button(_("Do-not-contact list"), "adm:dnc")],
        ],
    )


@router.button("adm:stats", access=Access.OPERATOR)
async def statistics(ctx: Context) -> None:
    """Members, and today's messages by channel with their failure rates."""
    await ctx.reply.send(statistics_text(ctx.t, await ctx.services.operators.statistics()))


def statistics_text(t: Translator, figures: Statistics) -> str:
    """The figures, one a line."""
    _ = t.gettext
    members = figures.members
    lines = [
        _(
            "Members: {total} ({active} active, {suspended} suspended, {onboarding} signing up, "
            "{deleted} deleted)"
        ).format(
            total=t.number(sum(members.values())),
            active=t.number(members["active"]),
            suspended=t.number(members["suspended"]),
            onboarding=t.number(members["onboarding"]),
            deleted=t.number(members["deleted"]),
        ),
        _("Messages today (UTC):"),
    ]
    if not figures.today:
        lines.append(_("No messages sent."))
    for day in figures.today:
        lines.append(
            "• "
            + _("{channel}: {sent} sent, {failed} refused ({rate} failed)").format(
                channel=channel_name(day.channel),
                sent=t.number(day.units),
                failed=t.number(day.failed),
                rate=t.percent(day.failure_rate),
            )
        )
    return "\n".join(lines)
