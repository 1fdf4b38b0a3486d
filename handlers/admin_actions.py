"""The operator's audited actions on a member, from the card's buttons: open their lists,
contacts or campaigns, suspend or lift, delete or restore. Each first asks why (a preset or
typed) and is audited by the service that carries it out (bot/services/member_admin.py,
suspensions.py); the member is told of every decision on each of their chats.

Every route is Access.OPERATOR; the member id is read again from the database.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.conversation import Access, Button, Context, Keyboard, Router
from bot.i18n import Translator
from bot.services.suspensions import MAX_REASON, Refusal, SuspensionRefused
from handlers import texts
from handlers.admin_members import member_translator, operator, payload_id, show_card
from handlers.admin_views import (
    campaigns_text,
    contacts_text,
    list_buttons,
    list_contacts_text,
    lists_text,
)
from handlers.appeals import lifted_text, suspended_text
from handlers.states import AdminDialog
from handlers.texts import N_

router = Router("admin_actions")

# Reasons an operator gives for opening data or acting, as buttons; stored in English in the
# audit log (the operator may also type their own).
PRESET_REASONS: dict[str, str] = {
    "support": N_("Support request"),
    "abuse": N_("Abuse review"),
    "legal": N_("Legal request"),
}


async def _view_lists(ctx: Context, member_id: int, reason: str) -> None:
    found = await ctx.services.directory.open_lists(
        member_id, operator=operator(ctx), reason=reason
    )
    if found is None:
        await _show(ctx, None)
        return
    await ctx.reply.send(lists_text(ctx.t, member_id, found), buttons=list_buttons(found))


async def _view_list(ctx: Context, list_id: int, reason: str) -> None:
    opened = await ctx.services.directory.open_list(list_id, operator=operator(ctx), reason=reason)
    if opened is None:
        await ctx.reply.send(ctx.t.gettext("That list is deleted, or gone."))
        return
    await ctx.reply.send(list_contacts_text(ctx.t, *opened))


async def _view_contacts(ctx: Context, member_id: int, reason: str) -> None:
    page = await ctx.services.directory.open_contacts(
        member_id, operator=operator(ctx), reason=reason
    )
    await _show(ctx, None if page is None else contacts_text(ctx.t, member_id, page))


async def _view_campaigns(ctx: Context, member_id: int, reason: str) -> None:
    found = await ctx.services.directory.open_campaigns(
        member_id, operator=operator(ctx), reason=reason
    )
    await _show(ctx, None if found is None else campaigns_text(ctx.t, member_id, found))


async def _show(ctx: Context, text: str | None) -> None:
    await ctx.reply.send(text or ctx.t.gettext("There is no such member (any more)."))


async def _suspend(ctx: Context, member_id: int, reason: str) -> None:
    _ = ctx.t.gettext
    try:
        done = await ctx.services.suspensions.suspend(
            member_id, reason=reason, operator=operator(ctx)
        )
    except SuspensionRefused as refused:
        await ctx.reply.send(refusal_text(ctx.t, refused.reason))
        return
    member = done.member
    await ctx.outbox.members.send(member.id, suspended_text(member_translator(ctx, member), member))
    await ctx.reply.send(
        ctx.t.ngettext(
            "Member {member} is suspended; {count} running campaign was paused. They were told "
            "why and how to appeal.",
            "Member {member} is suspended; {count} running campaigns were paused. They were "
            "told why and how to appeal.",
            done.paused,
        ).format(member=member.id, count=ctx.t.number(done.paused))
    )
    await show_card(ctx, member.id)


async def _lift(ctx: Context, member_id: int, reason: str) -> None:
    try:
        member = await ctx.services.suspensions.lift(
            member_id, operator=operator(ctx), reason=reason
        )
    except SuspensionRefused as refused:
        await ctx.reply.send(refusal_text(ctx.t, refused.reason))
        return
    await ctx.outbox.members.send(member.id, lifted_text(member_translator(ctx, member)))
    await ctx.reply.send(
        ctx.t.gettext("Member {member}'s suspension is lifted; they were told.").format(
            member=member.id
        )
    )
    await show_card(ctx, member.id)


async def _delete(ctx: Context, member_id: int, reason: str) -> None:
    _ = ctx.t.gettext
    purge_at = await ctx.services.directory.delete(member_id, operator=operator(ctx), reason=reason)
    if purge_at is None:
        await ctx.reply.send(_("That account is deleted already, or there is no such member."))
        return
    member = await ctx.services.directory.get(member_id)
    if member is None:  # purged in between: nobody to tell
        return
    t = member_translator(ctx, member)
    await ctx.outbox.members.send(
        member_id,
        t.gettext(
            "The operator deleted your account: nothing will be sent. It can be restored until "
            "{date}; /mydata still gives you a copy of your data."
        ).format(date=t.datetime(purge_at)),
    )
    await ctx.reply.send(
        _("Member {member}'s account is deleted; it is purged on {date} unless restored.").format(
            member=member_id, date=ctx.t.datetime(purge_at)
        )
    )


async def _restore(ctx: Context, member_id: int, reason: str) -> None:
    _ = ctx.t.gettext
    member = await ctx.services.directory.restore(member_id, operator=operator(ctx), reason=reason)
    if member is None:
        await ctx.reply.send(_("That account is not deleted: there is nothing to restore."))
        return
    await ctx.outbox.members.send(
        member.id,
        member_translator(ctx, member).gettext(
            "The operator restored your account. Campaigns that were cancelled stay cancelled; "
            "/campaigns can duplicate them."
        ),
    )
    await ctx.reply.send(_("Member {member}'s account is restored.").format(member=member.id))
    await show_card(ctx, member.id)


Action = Callable[[Context, int, str], Awaitable[None]]
ACTIONS: dict[str, Action] = {
    "lists": _view_lists,
    "list": _view_list,  # the target is a list, not a member
    "contacts": _view_contacts,
    "campaigns": _view_campaigns,
    "suspend": _suspend,
    "lift": _lift,
    "delete": _delete,
    "restore": _restore,
}


def _question(t: Translator, action: str, member_id: int) -> str:
    _ = t.gettext
    questions = {
        "suspend": _(
            "Suspend member {member}? Their sending stops at once. Type the reason: the member "
            "reads it."
        ),
        "delete": _(
            "Delete member {member}'s account? Their campaigns are cancelled; it can be "
            "restored for 30 days. Choose or type the reason; it is written to the audit log."
        ),
    }
    default = _(
        "Why? Choose or type the reason; it is written to the audit log, which member "
        "{member} can read."
    )
    return questions.get(action, default).format(member=member_id)


@router.button("adm:do:", access=Access.OPERATOR)
async def ask_why(ctx: Context) -> None:
    """Every audited action first asks for its reason."""
    action, _sep, raw_id = (ctx.event.data or "").removeprefix("adm:do:").partition(":")
    target = payload_id(raw_id, "")
    member_id = await _member_concerned(ctx, action, target)
    if member_id is None:
        await ctx.reply.send(texts.stale_button(ctx.t))
        return
    await ctx.state.set_state(AdminDialog.why)
    await ctx.state.set_data({"action": action, "target": target})
    _ = ctx.t.gettext
    # The suspension's reason is the member's to read: the operator writes it themselves.
    presets = [] if action == "suspend" else list(PRESET_REASONS.items())
    buttons: Keyboard = [[Button(_(label), f"adm:why:{key}")] for key, label in presets]
    buttons.append([Button(_("Cancel"), "adm:why:cancel")])
    await ctx.reply.send(_question(ctx.t, action, member_id), buttons=buttons)


async def _member_concerned(ctx: Context, action: str, target: int) -> int | None:
    """The member an action on `target` concerns; None for an unknown action or a target
    that is gone."""
    if action not in ACTIONS:
        return None
    if action == "list":
        return await ctx.services.directory.list_owner(target)
    member = await ctx.services.directory.get(target)
    return member.id if member is not None else None


@router.button("adm:why:", state=AdminDialog.why.state, access=Access.OPERATOR)
async def preset_reason(ctx: Context) -> None:
    """A reason from the buttons, or cancel."""
    key = (ctx.event.data or "").removeprefix("adm:why:")
    if key == "cancel":
        await ctx.state.clear()
        await ctx.reply.send(ctx.t.gettext("Cancelled: nothing was done."))
        return
    if key not in PRESET_REASONS:
        await ctx.reply.send(texts.stale_button(ctx.t))
        return
    await _act(ctx, PRESET_REASONS[key])


@router.text(state=AdminDialog.why.state, access=Access.OPERATOR)
async def typed_reason(ctx: Context) -> None:
    """A reason in the operator's words."""
    reason = " ".join((ctx.event.text or "").split())[:MAX_REASON]
    if not reason:
        await ctx.reply.send(ctx.t.gettext("Please type the reason."))
        return
    await _act(ctx, reason)


async def _act(ctx: Context, reason: str) -> None:
    data = await ctx.state.get_data()
    await ctx.state.clear()
    action = ACTIONS.get(str(data.get("action")))
    target = data.get("target")
    if action is None or not isinstance(target, int):
        await ctx.reply.send(texts.stale_button(ctx.t))
        return
    await action(ctx, target, reason)


def refusal_text(t: Translator, reason: Refusal) -> str:
    """Why a suspension or a lift changed nothing."""
    _ = t.gettext
    return {
        Refusal.NOT_FOUND: _("There is no such member (any more)."),
        Refusal.DELETED: _("That member deleted their account: nothing of theirs sends."),
        Refusal.ALREADY: _("That member is suspended already."),
        Refusal.NOT_SUSPENDED: _("That member is not suspended: there is nothing to lift."),
    }[reason]
