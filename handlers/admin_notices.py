"""/admin Announcements: the operator writes a service, security (breach) or promotional
notice, sees it as members will with the number of addressees, and sends it; past ones with
how far they got, and each one's delivery record as CSV. Every route is Access.OPERATOR."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.conversation import Access, Button, Context, Router
from bot.i18n import Translator
from bot.notify import OperatorNotifier
from bot.services.announcements import MAX_NOTICE_CHARS, NoticeTextError, Reach
from bot.services.audit import operator_name
from handlers import texts
from handlers.notices import notice_text
from handlers.states import NoticeDialog
from handlers.texts import N_
from models import Announcement, NoticeKind

router = Router("admin_notices")
OPERATOR = Access.OPERATOR

_KIND_NAMES = {
    NoticeKind.SERVICE: N_("Service notice"),
    NoticeKind.BREACH: N_("Breach notice"),
    NoticeKind.PROMOTIONAL: N_("Promotional notice"),
}
_KIND_RULES = {
    NoticeKind.SERVICE: N_(
        "It reaches every member except those who deleted their account; nobody can decline it."
    ),
    NoticeKind.BREACH: N_(
        "For a security incident. It reaches every member whose data we hold, deleted accounts "
        "not yet purged included; nobody can decline it, and the time it reached each one is "
        "kept as the record of the notification."
    ),
    NoticeKind.PROMOTIONAL: N_("It reaches only active members who have not turned news off."),
}


def kind_name(t: Translator, kind: NoticeKind) -> str:
    """The kind of a notice, translated."""
    return t.gettext(_KIND_NAMES[kind])


@router.button("adm:notice:new:", access=OPERATOR)
async def ask_text(ctx: Context) -> None:
    """The kind was chosen: what it reaches, and the text, please."""
    kind_value = (ctx.event.data or "").removeprefix("adm:notice:new:")
    if kind_value not in {kind.value for kind in NoticeKind}:
        await ctx.reply.send(texts.stale_button(ctx.t))
        return
    kind = NoticeKind(kind_value)
    await ctx.state.set_state(NoticeDialog.text)
    await ctx.state.set_data({"kind": kind.value})
    _ = ctx.t.gettext
    await ctx.reply.send(
        kind_name(ctx.t, kind)
        + "\n"
        + _(_KIND_RULES[kind])
        + "\n\n"
        + _(
            "Type the notice as members should read it (up to {limit} characters); each "
            "member reads it under a heading in their own language."
        ).format(limit=ctx.t.number(MAX_NOTICE_CHARS)),
        buttons=[[Button(_("Cancel"), "adm:notice:cancel")]],
    )


@router.text(state=NoticeDialog.text.state, access=OPERATOR)
async def preview(ctx: Context) -> None:
    """The notice as a member reads it, how many it reaches, and send or cancel."""
    data = await ctx.state.get_data()
    kind = NoticeKind(data.get("kind", NoticeKind.SERVICE.value))
    text = ctx.event.text.strip()
    _ = ctx.t.gettext
    if not text or len(text) > MAX_NOTICE_CHARS:
        await ctx.reply.send(
            _("A notice needs some text, up to {limit} characters; this one has {count}.").format(
                limit=ctx.t.number(MAX_NOTICE_CHARS), count=ctx.t.number(len(text))
            )
        )
        return
    addressees = await ctx.services.announcements.addressees(kind)
    await ctx.state.set_state(NoticeDialog.confirm)
    await ctx.state.set_data({"kind": kind.value, "text": text})
    await ctx.reply.send(
        _("Preview, as a member reads it:")
        + "\n\n"
        + notice_text(ctx.t, kind, text)
        + "\n\n"
        + ctx.t.ngettext(
            "It will reach {count} member.", "It will reach {count} members.", addressees
        ).format(count=ctx.t.number(addressees)),
        buttons=[
            [Button(_("Send it"), "adm:notice:send")],
            [Button(_("Cancel"), "adm:notice:cancel")],
        ],
    )


@router.button("adm:notice:send", access=OPERATOR)
async def send(ctx: Context) -> None:
    """Write the announcement and its rows, and deliver it in the background."""
    if await ctx.state.get_state() != NoticeDialog.confirm.state:
        # Already sent (a second tap) or never previewed.
        await ctx.reply.send(texts.stale_button(ctx.t))
        return
    data = await ctx.state.get_data()
    await ctx.state.clear()
    operator = operator_name(ctx.event.platform, ctx.event.user_id)
    kind = NoticeKind(data["kind"])
    service = ctx.services.announcements
    _ = ctx.t.gettext
    try:
        announcement = await service.create(kind, data.get("text", ""), operator=operator)
    except NoticeTextError:
        await ctx.reply.send(texts.stale_button(ctx.t))
        return
    service.launch(announcement)
    reach = await service.reach(announcement.id)
    await ctx.reply.send(
        ctx.t.ngettext(
            "Sending {kind} #{id} to {count} member. I will tell you when it is done.",
            "Sending {kind} #{id} to {count} members. I will tell you when it is done.",
            reach.addressed,
        ).format(
            kind=kind_name(ctx.t, kind), id=announcement.id, count=ctx.t.number(reach.addressed)
        )
    )


@router.button("adm:notice:cancel", access=OPERATOR)
async def cancel(ctx: Context) -> None:
    """Nothing is sent."""
    await ctx.state.clear()
    await ctx.reply.send(ctx.t.gettext("Cancelled: nothing was sent."))


@router.button("adm:notice:list", access=OPERATOR)
async def past(ctx: Context) -> None:
    """The latest announcements with how far each got, and their records."""
    _ = ctx.t.gettext
    recent = await ctx.services.announcements.recent()
    if not recent:
        await ctx.reply.send(_("No announcements yet."))
        return
    lines = [_("Latest announcements:")]
    buttons = []
    for announcement, reach in recent:
        lines.append("• " + announcement_line(ctx.t, announcement, reach))
        buttons.append(
            [
                Button(
                    _("#{id} delivery record").format(id=announcement.id),
                    f"adm:notice:csv:{announcement.id}",
                )
            ]
        )
    await ctx.reply.send("\n".join(lines), buttons=buttons)


def announcement_line(t: Translator, announcement: Announcement, reach: Reach) -> str:
    """One announcement: number, kind, when, and how far it got."""
    _ = t.gettext
    progress = (
        _("reached {reached} of {count}")
        if announcement.finished_at is not None
        else _("sending: reached {reached} of {count} so far")
    )
    return "#{id} {kind}, {date}: {progress}".format(
        id=announcement.id,
        kind=kind_name(t, announcement.kind),
        date=t.datetime(announcement.created_at, fmt="short"),
        progress=progress.format(reached=t.number(reach.reached), count=t.number(reach.addressed)),
    )


@router.button("adm:notice:csv:", access=OPERATOR)
async def record(ctx: Context) -> None:
    """Who got an announcement and when, as CSV."""
    argument = (ctx.event.data or "").removeprefix("adm:notice:csv:")
    service = ctx.services.announcements
    announcement = await service.get(int(argument)) if argument.isdigit() else None
    if announcement is None:
        await ctx.reply.send(texts.stale_button(ctx.t))
        return
    content = await service.record_csv(announcement.id)
    reach = await service.reach(announcement.id)
    await ctx.reply.send_document(
        f"announcement-{announcement.id}-deliveries.csv",
        content,
        caption=ctx.t.gettext(
            "{kind} #{id}: each member and when it reached them (UTC; empty: it did not)."
        ).format(kind=kind_name(ctx.t, announcement.kind), id=announcement.id)
        + "\n"
        + announcement_line(ctx.t, announcement, reach),
    )


@router.button("adm:notice", access=OPERATOR)
async def notices_menu(ctx: Context) -> None:
    """Which kind to write, or the past ones."""
    if ctx.event.data != "adm:notice":
        await ctx.reply.send(texts.stale_button(ctx.t))
        return
    await ctx.state.clear()
    _ = ctx.t.gettext
    buttons = [
        [Button(kind_name(ctx.t, kind), f"adm:notice:new:{kind.value}")] for kind in NoticeKind
    ]
    buttons.append([Button(_("Past announcements"), "adm:notice:list")])
    await ctx.reply.send(_("Announcements to the members: which kind?"), buttons=buttons)


def delivery_summary(
    operators: OperatorNotifier,
) -> Callable[[Announcement, Reach], Awaitable[object]]:
    """How a worker tells the operators that an announcement went out, and how far."""

    async def summary(announcement: Announcement, reach: Reach) -> None:
        def text(t: Translator) -> str:
            return t.gettext(
                "{kind} #{id} delivered: reached {reached} of {count} members."
            ).format(
                kind=kind_name(t, announcement.kind),
                id=announcement.id,
                reached=t.number(reach.reached),
                count=t.number(reach.addressed),
            )

        await operators.send(text)

    return summary
