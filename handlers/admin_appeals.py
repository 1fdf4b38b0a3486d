"""/admin Appeals: the open appeals oldest first, one with its member, and the answer (which
may lift the suspension). Every route is Access.OPERATOR; ids are read again."""

from __future__ import annotations

from bot.conversation import Access, Button, Context, Keyboard, Router
from bot.services.suspensions import SuspensionRefused
from handlers import texts
from handlers.admin_members import member_translator, operator, payload_id, show_card
from handlers.appeals import lifted_text
from handlers.states import AdminDialog

router = Router("admin_appeals")

PREVIEW = 80  # characters of each appeal in the queue


@router.button("adm:appeals", access=Access.OPERATOR)
async def queue(ctx: Context) -> None:
    """Unanswered appeals, oldest first."""
    _ = ctx.t.gettext
    waiting = await ctx.services.appeals.waiting()
    if not waiting:
        await ctx.reply.send(_("No appeals are waiting."))
        return
    buttons: Keyboard = [
        [
            Button(
                _("{date} · member {member}").format(
                    date=ctx.t.datetime(appeal.created_at, fmt="short"), member=appeal.member.id
                ),
                f"adm:ap:{appeal.id}",
            )
        ]
        for appeal in waiting
    ]
    await ctx.reply.send(_("Appeals waiting for an answer, oldest first:"), buttons=buttons)


@router.button("adm:ap:", access=Access.OPERATOR)
async def open_appeal(ctx: Context) -> None:
    """One appeal: the member's words and what the operator can do."""
    _ = ctx.t.gettext
    appeal = await ctx.services.appeals.get(payload_id(ctx.event.data, "adm:ap:"))
    if appeal is None:
        await ctx.reply.send(texts.stale_button(ctx.t))
        return
    member = appeal.member
    lines = [
        _("Appeal of member {member} ({name}), {date}:").format(
            member=member.id,
            name=member.display_name or "-",
            date=ctx.t.datetime(appeal.created_at),
        ),
        appeal.text,
    ]
    buttons: Keyboard = [[Button(_("Member card"), f"adm:m:{member.id}")]]
    if appeal.answered_at is not None:
        lines.append(
            _("Answered on {date} by {operator}: {answer}").format(
                date=ctx.t.datetime(appeal.answered_at),
                operator=appeal.answered_by or "-",
                answer=appeal.answer or "",
            )
        )
    else:
        buttons.insert(0, [Button(_("Answer"), f"adm:apans:{appeal.id}")])
        buttons.insert(1, [Button(_("Answer and lift the suspension"), f"adm:aplift:{appeal.id}")])
    await ctx.reply.send("\n\n".join(lines), buttons=buttons)


@router.button("adm:apans:", access=Access.OPERATOR)
@router.button("adm:aplift:", access=Access.OPERATOR)
async def ask_answer(ctx: Context) -> None:
    """The answer is typed next."""
    data = ctx.event.data or ""
    lift = data.startswith("adm:aplift:")
    appeal = await ctx.services.appeals.get(
        payload_id(data, "adm:aplift:" if lift else "adm:apans:")
    )
    if appeal is None or appeal.answered_at is not None:
        await ctx.reply.send(ctx.t.gettext("That appeal is answered already, or gone."))
        return
    await ctx.state.set_state(AdminDialog.answer)
    await ctx.state.set_data({"appeal_id": appeal.id, "lift": lift})
    await ctx.reply.send(
        ctx.t.gettext("Type your answer to member {member}; they read it as you write it.").format(
            member=appeal.member.id
        )
    )


@router.text(state=AdminDialog.answer.state, access=Access.OPERATOR)
async def answer(ctx: Context) -> None:
    """Send the answer to the member, and lift the suspension when asked."""
    _ = ctx.t.gettext
    data = await ctx.state.get_data()
    await ctx.state.clear()
    appeal_id = data.get("appeal_id")
    text = (ctx.event.text or "").strip()
    if not isinstance(appeal_id, int) or not text:
        await ctx.reply.send(texts.stale_button(ctx.t))
        return
    answered = await ctx.services.appeals.answer(appeal_id, text, operator=operator(ctx))
    if answered is None:
        await ctx.reply.send(_("That appeal is answered already, or gone."))
        return
    member = answered.member
    t = member_translator(ctx, member)
    await ctx.outbox.members.send(
        member.id,
        t.gettext("The operator answered your appeal:\n\n{answer}").format(answer=answered.answer),
    )
    await ctx.reply.send(_("Your answer is sent to member {member}.").format(member=member.id))
    if data.get("lift"):
        try:
            await ctx.services.suspensions.lift(
                member.id, operator=operator(ctx), reason=f"appeal:{appeal_id}"
            )
        except SuspensionRefused:
            await ctx.reply.send(_("That member is not suspended: there is nothing to lift."))
        else:
            await ctx.outbox.members.send(member.id, lifted_text(t))
    await show_card(ctx, member.id)
