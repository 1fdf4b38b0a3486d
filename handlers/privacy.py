"""The member's own data: /mydata takes all of it, /deleteaccount deletes it, /restore undoes
that within the window."""

from __future__ import annotations

from bot.conversation import Access, Button, Context, Router
from bot.services.privacy.accounts import RESTORE_WINDOW
from handlers.appeals import suspended_text
from models import MemberStatus

router = Router("privacy")


@router.command("mydata", access=Access.ACCOUNT)
async def my_data(ctx: Context) -> None:
    """A ZIP of every record about the member (a download link on LINE)."""
    member = ctx.require_member()
    _ = ctx.t.gettext
    await ctx.reply.send(_("Gathering everything we hold about you…"))
    content, counts = await ctx.services.member_export.archive(member)
    day = ctx.services.clock().astimezone(ctx.t.timezone).date().isoformat()
    caption = _(
        "Your data: your account, lists, contacts, opt-outs, campaigns with every recipient's "
        "result, replies, imports and usage records, as CSV and JSON files ({count} records)."
    ).format(count=ctx.t.number(sum(counts.values()) + 1))
    await ctx.reply.send_document(f"broadside-data-{day}.zip", content, caption=caption)


# Open without the current terms accepted: a member who does not accept new terms may leave.
@router.command("deleteaccount", access=Access.ACCOUNT)
async def ask_delete(ctx: Context) -> None:
    """What deleting means, and a confirmation."""
    _ = ctx.t.gettext
    days = RESTORE_WINDOW.days
    await ctx.reply.send(
        ctx.t.ngettext(
            "Delete your account? Nothing will be sent any more: your scheduled and running "
            "campaigns are cancelled at once. You can undo it with /restore for {days} day; "
            "after that your lists, contacts and campaigns are deleted for good. The people "
            "who opted out stay opted out. Take a copy of your data first with /mydata if "
            "you want one.",
            "Delete your account? Nothing will be sent any more: your scheduled and running "
            "campaigns are cancelled at once. You can undo it with /restore for {days} days; "
            "after that your lists, contacts and campaigns are deleted for good. The people "
            "who opted out stay opted out. Take a copy of your data first with /mydata if "
            "you want one.",
            days,
        ).format(days=ctx.t.number(days)),
        buttons=[
            [Button(_("Delete my account"), "acct:delete")],
            [Button(_("Keep my account"), "acct:keep")],
        ],
    )


@router.button("acct:keep", access=Access.ACCOUNT)
async def keep(ctx: Context) -> None:
    """Changed their mind."""
    await ctx.reply.send(ctx.t.gettext("Nothing changed: your account stays as it is."))


@router.button("acct:delete", access=Access.ACCOUNT)
async def delete(ctx: Context) -> None:
    """Disable the account at once; it is purged when the window ends."""
    await ctx.state.clear()
    purge_at = await ctx.services.accounts.delete(ctx.require_member())
    await ctx.reply.send(
        ctx.t.gettext(
            "Your account is deleted: nothing will be sent. Everything stays restorable until "
            "{date} with /restore; then it is deleted for good."
        ).format(date=ctx.t.datetime(purge_at))
    )


@router.command("restore", access=Access.ACCOUNT)
async def restore(ctx: Context) -> None:
    """Undo a deletion."""
    _ = ctx.t.gettext
    member = ctx.require_member()
    if not await ctx.services.accounts.restore(member):
        await ctx.reply.send(_("Your account is not deleted: there is nothing to restore."))
        return
    if member.status is MemberStatus.SUSPENDED:
        await ctx.reply.send(
            _("Your account is restored, and still suspended.")
            + "\n\n"
            + suspended_text(ctx.t, member)
        )
        return
    await ctx.reply.send(
        _(
            "Welcome back: your account, lists and campaigns are restored. Campaigns that were "
            "cancelled stay cancelled; /campaigns can duplicate them."
        )
    )


async def deleted_gate(ctx: Context) -> None:
    """Anything else from a deleted account: how to restore it."""
    member = ctx.require_member()
    purge_at = ctx.services.accounts.purge_date(member)
    await ctx.reply.send(
        ctx.t.gettext(
            "Your account is deleted. Send /restore to undo it (possible until {date}), or "
            "/mydata for a copy of your data."
        ).format(date=ctx.t.datetime(purge_at) if purge_at else "")
    )
