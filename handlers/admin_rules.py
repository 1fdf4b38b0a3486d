"""/admin's screening rules: counts per kind, a kind's rules a page at a time, each turned
on or off, and new ones added by typing their value. Rules are the operator's data; the
built-in ones are rules like any other (bot/services/screening/)."""

from __future__ import annotations

from bot.conversation import Access, Button, Context, Keyboard, Router
from bot.i18n import Translator
from bot.services.audit import operator_name
from bot.services.screening import RuleError
from bot.services.screening.service import MAX_VALUE
from handlers import texts
from handlers.states import OperatorDialog
from handlers.texts import N_
from models import RuleKind

router = Router("admin_rules")
PAGE = 8  # with add, more and back, within LINE's 13 quick replies

_KINDS = {
    RuleKind.PHRASE: N_("Spam phrases"),
    RuleKind.CREDENTIALS: N_("Credential requests"),
    RuleKind.SHORTENER: N_("Link shorteners"),
    RuleKind.BRAND: N_("Brands (look-alike domains)"),
    RuleKind.CAPITALS: N_("Largest share of capitals"),
    RuleKind.SYMBOLS: N_("Largest share of symbols"),
}
_PROMPTS = {
    RuleKind.PHRASE: N_(
        "Send the phrase. To note its language, begin with its code and a colon, "
        "like: es: has ganado"
    ),
    RuleKind.SHORTENER: N_("Send the shortener's host name, like bit.ly"),
    RuleKind.BRAND: N_(
        "Send the brand's own domain, like paypal.com: links imitating it are flagged."
    ),
    RuleKind.CAPITALS: N_("Send the largest share allowed, like 0.6 or 60%."),
}
_PROMPTS[RuleKind.CREDENTIALS] = _PROMPTS[RuleKind.PHRASE]
_PROMPTS[RuleKind.SYMBOLS] = _PROMPTS[RuleKind.CAPITALS]
_PROBLEMS = {
    "empty": N_("That is empty. Send the value, or tap Cancel."),
    "too_long": N_("That is too long: at most {limit} characters."),
    "host": N_("That is not a host name. Send it like bit.ly"),
    "share": N_("Send a share between 0 and 1, like 0.6, or a percentage, like 60%."),
    "exists": N_("That rule exists already; turn it on from the list if it is off."),
}


def _kind(raw: str) -> RuleKind | None:
    try:
        return RuleKind(raw)
    except ValueError:
        return None


def _back(t: Translator) -> list[Button]:
    return [Button(t.gettext("Screening rules"), "adm:rules")]


@router.button("adm:rules:k:", access=Access.OPERATOR)
async def show_kind(ctx: Context) -> None:
    """One page of a kind's rules ("adm:rules:k:<kind>:<offset>"), each with its switch."""
    raw_kind, _sep, raw_offset = (ctx.event.data or "").removeprefix("adm:rules:k:").partition(":")
    kind = _kind(raw_kind)
    if kind is None or not raw_offset.isdigit():
        await ctx.reply.send(texts.stale_button(ctx.t))
        return
    await _page(ctx, kind, int(raw_offset))


async def _page(ctx: Context, kind: RuleKind, offset: int) -> None:
    _ = ctx.t.gettext
    rules = await ctx.services.screening.of_kind(kind, offset=offset, limit=PAGE + 1)
    lines = [_(_KINDS[kind]) + ":"]
    buttons: list[list[Button]] = []
    for rule in rules[:PAGE]:
        line = _("#{id} {value}{locale} (on)") if rule.active else _("#{id} {value}{locale} (off)")
        locale = f" [{rule.locale}]" if rule.locale else ""
        lines.append(line.format(id=rule.id, value=rule.value, locale=locale))
        label = _("Turn off #{id}") if rule.active else _("Turn on #{id}")
        action = "off" if rule.active else "on"
        buttons.append([Button(label.format(id=rule.id), f"adm:rules:{action}:{rule.id}")])
    if not rules:
        lines.append(_("No rules of this kind."))
    if len(rules) > PAGE:
        buttons.append([Button(_("More"), f"adm:rules:k:{kind.value}:{offset + PAGE}")])
    buttons.append([Button(_("Add a rule"), f"adm:rules:add:{kind.value}")])
    buttons.append(_back(ctx.t))
    await ctx.reply.send("\n".join(lines), buttons=buttons)


@router.button("adm:rules:on:", access=Access.OPERATOR)
async def turn_on(ctx: Context) -> None:
    """Screen with this rule again."""
    await _switch(ctx, "adm:rules:on:", active=True)


@router.button("adm:rules:off:", access=Access.OPERATOR)
async def turn_off(ctx: Context) -> None:
    """Stop screening with this rule (it stays listed, to turn on again)."""
    await _switch(ctx, "adm:rules:off:", active=False)


async def _switch(ctx: Context, prefix: str, *, active: bool) -> None:
    raw = (ctx.event.data or "").removeprefix(prefix)
    rule = await ctx.services.screening.switch(int(raw), active=active) if raw.isdigit() else None
    if rule is None:
        await ctx.reply.send(texts.stale_button(ctx.t))
        return
    _ = ctx.t.gettext
    text = _("Rule #{id} ({value}) is on.") if active else _("Rule #{id} ({value}) is off.")
    await ctx.reply.send(
        text.format(id=rule.id, value=rule.value),
        buttons=[[Button(_(_KINDS[rule.kind]), f"adm:rules:k:{rule.kind.value}:0")], _back(ctx.t)],
    )


@router.button("adm:rules:add:", access=Access.OPERATOR)
async def ask_value(ctx: Context) -> None:
    """Ask for the new rule's value."""
    kind = _kind((ctx.event.data or "").removeprefix("adm:rules:add:"))
    if kind is None:
        await ctx.reply.send(texts.stale_button(ctx.t))
        return
    await ctx.state.set_state(OperatorDialog.rule_value)
    await ctx.state.set_data({"kind": kind.value})
    await ctx.reply.send(ctx.t.gettext(_PROMPTS[kind]), buttons=[_cancel(ctx.t)])


def _cancel(t: Translator) -> list[Button]:
    return [Button(t.gettext("Cancel"), "adm:rules:cancel")]


@router.text(state=OperatorDialog.rule_value.state, access=Access.OPERATOR)
async def add_rule(ctx: Context) -> None:
    """The typed value: added, or refused with the reason (the dialog stays open)."""
    kind = _kind(str((await ctx.state.get_data()).get("kind", "")))
    if kind is None:
        await ctx.state.clear()
        await ctx.reply.send(texts.stale_button(ctx.t))
        return
    by = operator_name(ctx.event.platform, ctx.event.user_id)
    try:
        rule = await ctx.services.screening.add(kind, ctx.event.text, by=by)
    except RuleError as error:
        problem = ctx.t.gettext(_PROBLEMS[error.code]).format(limit=MAX_VALUE)
        await ctx.reply.send(problem, buttons=[_cancel(ctx.t)])
        return
    await ctx.state.clear()
    await ctx.reply.send(
        ctx.t.gettext("Added rule #{id}: {value}").format(id=rule.id, value=rule.value),
        buttons=[[Button(ctx.t.gettext(_KINDS[kind]), f"adm:rules:k:{kind.value}:0")]],
    )


@router.button("adm:rules:cancel", access=Access.OPERATOR)
async def cancel(ctx: Context) -> None:
    """Leave without adding."""
    await ctx.state.clear()
    await ctx.reply.send(ctx.t.gettext("Nothing was changed."), buttons=[_back(ctx.t)])


# Last: its payload is the prefix of every other route's here.
@router.button("adm:rules", access=Access.OPERATOR)
async def overview(ctx: Context) -> None:
    """Each kind with its rules on and in all."""
    await ctx.state.clear()
    _ = ctx.t.gettext
    lines = [_("Screening rules (on / all):")]
    buttons: Keyboard = []
    for count in await ctx.services.screening.counts():
        label = _(_KINDS[count.kind])
        lines.append(f"• {label}: {ctx.t.number(count.active)} / {ctx.t.number(count.total)}")
        buttons = [*buttons, [Button(label, f"adm:rules:k:{count.kind.value}:0")]]
    await ctx.reply.send("\n".join(lines), buttons=buttons)
