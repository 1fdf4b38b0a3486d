"""/admin Do-not-contact list: the addresses no member may message. The operator sees how many
and the latest, adds numbers (many per message, each validated), removes one, and exports
the list. Every route is Access.OPERATOR."""

from __future__ import annotations

from bot.conversation import Access, Button, Context, Router
from bot.i18n import Translator
from bot.services.audit import operator_name
from bot.services.optout.operator_list import MAX_ENTRIES, Added, Refusal, Refused
from handlers import texts
from handlers.states import DoNotContactDialog
from handlers.texts import N_

router = Router("admin_dnc")
OPERATOR = Access.OPERATOR
MAX_LISTED = 20  # refused entries shown one by one; more are counted (a message has limits)

_REFUSALS = {
    Refusal.NOT_A_NUMBER: N_("not a phone number"),
    Refusal.NO_COUNTRY_CODE: N_("no country code: write it with + and the country code"),
    Refusal.UNKNOWN_COUNTRY: N_("no country has that code"),
    Refusal.TOO_SHORT: N_("too short"),
    Refusal.TOO_LONG: N_("too long"),
    Refusal.NOT_IN_SERVICE: N_("no such number in that country"),
}


def refusal_reason(t: Translator, reason: Refusal) -> str:
    """Why an entry is not an address, translated."""
    return t.gettext(_REFUSALS[reason])


@router.button("adm:dnc:add", access=OPERATOR)
async def ask_add(ctx: Context) -> None:
    """Ask for the addresses."""
    await ctx.state.set_state(DoNotContactDialog.add)
    _ = ctx.t.gettext
    await ctx.reply.send(
        _(
            "Send the numbers to add, one a line or separated by commas (up to {limit}), in "
            "any notation but with the country code: +34 612 345 678, 0044 20 7946 0958. "
            "Telegram and LINE accounts go as telegram:123456789 or line:U…"
        ).format(limit=ctx.t.number(MAX_ENTRIES)),
        buttons=[[Button(_("Cancel"), "adm:dnc:cancel")]],
    )


@router.text(state=DoNotContactDialog.add.state, access=OPERATOR)
async def add(ctx: Context) -> None:
    """Add what is valid, list back what is not with the reason."""
    await ctx.state.clear()
    operator = operator_name(ctx.event.platform, ctx.event.user_id)
    outcome = await ctx.services.do_not_contact.add(ctx.event.text, operator=operator)
    await ctx.reply.send(added_text(ctx.t, outcome))


def added_text(t: Translator, outcome: Added) -> str:
    """What adding did: added, already there, and each refused entry with its reason."""
    _ = t.gettext
    n = t.number
    lines = [
        t.ngettext(
            "Added {count} address to the do-not-contact list.",
            "Added {count} addresses to the do-not-contact list.",
            len(outcome.added),
        ).format(count=n(len(outcome.added)))
    ]
    if outcome.already:
        lines.append(
            t.ngettext(
                "{count} was on it already.", "{count} were on it already.", len(outcome.already)
            ).format(count=n(len(outcome.already)))
        )
    if outcome.refused:
        lines.append(
            t.ngettext(
                "{count} entry is not an address, and was not added:",
                "{count} entries are not addresses, and were not added:",
                len(outcome.refused),
            ).format(count=n(len(outcome.refused)))
        )
        lines.extend(_refused_line(t, refused) for refused in outcome.refused[:MAX_LISTED])
        if len(outcome.refused) > MAX_LISTED:
            lines.append(_("…and {count} more.").format(count=n(len(outcome.refused) - MAX_LISTED)))
    if outcome.too_many:
        lines.append(
            _("Only the first {limit} entries were read; send the other {count} again.").format(
                limit=n(MAX_ENTRIES), count=n(outcome.too_many)
            )
        )
    return "\n".join(lines)


def _refused_line(t: Translator, refused: Refused) -> str:
    return f"• {refused.typed[:40]}: {refusal_reason(t, refused.reason)}"


@router.button("adm:dnc:del", access=OPERATOR)
async def ask_remove(ctx: Context) -> None:
    """Ask for the address to take off."""
    await ctx.state.set_state(DoNotContactDialog.remove)
    _ = ctx.t.gettext
    await ctx.reply.send(
        _("Send the number (or telegram:… / line:… id) to take off the do-not-contact list."),
        buttons=[[Button(_("Cancel"), "adm:dnc:cancel")]],
    )


@router.text(state=DoNotContactDialog.remove.state, access=OPERATOR)
async def remove(ctx: Context) -> None:
    """Take one address off, or say why not."""
    await ctx.state.clear()
    typed = ctx.event.text.strip()
    removed = await ctx.services.do_not_contact.remove(typed)
    _ = ctx.t.gettext
    if removed is None:
        text = _("{address} is not on the do-not-contact list.").format(address=typed[:40])
    elif isinstance(removed, Refused):
        text = _("Nothing removed: {line}").format(line=_refused_line(ctx.t, removed))
    else:
        text = _("{address} is off the do-not-contact list: members may message it again.").format(
            address=str(removed)
        )
    await ctx.reply.send(text)


@router.button("adm:dnc:csv", access=OPERATOR)
async def export(ctx: Context) -> None:
    """The whole list as CSV."""
    count, content = await ctx.services.do_not_contact.export_csv()
    _ = ctx.t.gettext
    if count == 0:
        await ctx.reply.send(_("The do-not-contact list is empty."))
        return
    await ctx.reply.send_document(
        "do-not-contact.csv",
        content,
        caption=ctx.t.ngettext(
            "The do-not-contact list: {count} address.",
            "The do-not-contact list: {count} addresses.",
            count,
        ).format(count=ctx.t.number(count)),
    )


@router.button("adm:dnc:cancel", access=OPERATOR)
async def cancel(ctx: Context) -> None:
    """Leave the list as it is."""
    await ctx.state.clear()
    await ctx.reply.send(ctx.t.gettext("Nothing changed on the do-not-contact list."))


# Last: its prefix also matches the routes above.
@router.button("adm:dnc", access=OPERATOR)
async def overview(ctx: Context) -> None:
    """How many, the latest, and what can be done."""
    if ctx.event.data != "adm:dnc":
        await ctx.reply.send(texts.stale_button(ctx.t))
        return
    await ctx.state.clear()
    service = ctx.services.do_not_contact
    count = await service.count()
    _ = ctx.t.gettext
    lines = [
        ctx.t.ngettext(
            "The do-not-contact list holds {count} address: no member can message it, "
            "whatever their lists say.",
            "The do-not-contact list holds {count} addresses: no member can message them, "
            "whatever their lists say.",
            count,
        ).format(count=ctx.t.number(count))
    ]
    latest = await service.latest()
    if latest:
        lines.append(_("Latest:"))
        lines.extend(
            f"• {service.readable(entry)} ({ctx.t.datetime(entry.created_at, fmt='short')})"
            for entry in latest
        )
    await ctx.reply.send(
        "\n".join(lines),
        buttons=[
            [Button(_("Add numbers"), "adm:dnc:add")],
            [Button(_("Remove one"), "adm:dnc:del")],
            [Button(_("Export CSV"), "adm:dnc:csv")],
        ],
    )
