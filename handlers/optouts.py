"""Opt-outs from the member's side: their own reply keywords (/keywords) and the suppression
list, which they can export but not edit (/optouts)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.conversation import Button, Context, Router
from bot.i18n import Translator
from bot.services.optout.keywords import (
    MAX_KEYWORD_LENGTH,
    MAX_OWN_KEYWORDS,
    Intent,
    KeywordRefused,
    Refusal,
)
from bot.services.optout.own_keywords import OWN_INTENTS, own_keywords
from handlers import texts
from handlers.states import KeywordDialog
from handlers.texts import N_

router = Router("optouts")


@dataclass(frozen=True, slots=True)
class _Wording:
    """What the card and the dialog say about one intent: whole sentences, which translate
    better than a verb put into a frame."""

    line: str  # the card's line: the standard words as examples, then the member's own
    add: str  # the button
    ask: str  # the question
    added: str  # the confirmation


_WORDING = {
    Intent.STOP: _Wording(
        N_("To opt out: STOP, BAJA, СТОП… Yours: {words}"),
        N_("Add a word to opt out"),
        N_("Send the word your recipients may reply with to opt out."),
        N_('Added: a reply "{word}" opts the recipient out.'),
    ),
    Intent.START: _Wording(
        N_("To opt back in: START, ALTA… Yours: {words}"),
        N_("Add a word to opt back in"),
        N_("Send the word your recipients may reply with to opt back in."),
        N_('Added: a reply "{word}" opts the recipient back in.'),
    ),
    Intent.HELP: _Wording(
        N_("To ask who is writing: HELP, INFO… Yours: {words}"),
        N_("Add a word to ask who is writing"),
        N_("Send the word your recipients may reply with to ask who is writing."),
        N_('Added: a reply "{word}" asks who is writing.'),
    ),
}


@router.command("keywords")
async def show_keywords(ctx: Context) -> None:
    """The standard reply words, the member's own, and buttons to add and remove theirs."""
    await ctx.state.clear()
    await _card(ctx)


async def _card(ctx: Context) -> None:
    t = ctx.t
    _ = t.gettext
    own = own_keywords(ctx.require_member())
    lines = [
        _(
            "Recipients reply with a word to opt out, opt back in or ask who is writing. "
            "The standard words always work, in every language I speak; you can add your own."
        )
    ]
    buttons: list[list[Button]] = []
    for intent in OWN_INTENTS:
        wording = _WORDING[intent]
        lines.append(_(wording.line).format(words=", ".join(own[intent]) or "-"))
        buttons.append([Button(_(wording.add), f"kw:add:{intent}")])
        for index, word in enumerate(own[intent]):
            label = _('Remove "{word}"').format(word=word[:20])
            buttons.append([Button(label, f"kw:del:{intent}:{index}")])
    await ctx.reply.send("\n".join(lines), buttons=buttons)


def _intent(data: str | None, prefix: str) -> tuple[Intent, str] | None:
    """The intent a button names (and what follows it), or None for a stale or forged one."""
    rest = (data or "").removeprefix(prefix)
    value, _, tail = rest.partition(":")
    if value not in {intent.value for intent in OWN_INTENTS}:
        return None
    return Intent(value), tail


@router.button("kw:add:")
async def ask_keyword(ctx: Context) -> None:
    """Ask for the word."""
    found = _intent(ctx.event.data, "kw:add:")
    if found is None:
        await ctx.reply.send(texts.stale_button(ctx.t))
        return
    intent, _tail = found
    await ctx.state.set_state(KeywordDialog.word)
    await ctx.state.set_data({"intent": intent.value})
    await ctx.reply.send(ctx.t.gettext(_WORDING[intent].ask))


@router.text(state=KeywordDialog.word.state)
async def add_keyword(ctx: Context) -> None:
    """Add the typed word, or say why it cannot be one."""
    data = await ctx.state.get_data()
    await ctx.state.clear()
    intent = Intent(data.get("intent", Intent.STOP.value))
    try:
        word = await ctx.services.keywords.add(ctx.require_member(), intent, ctx.event.text)
    except KeywordRefused as refused:
        await ctx.reply.send(refusal_text(ctx.t, refused))
        return
    await ctx.reply.send(ctx.t.gettext(_WORDING[intent].added).format(word=word))
    await _card(ctx)


@router.button("kw:del:")
async def remove_keyword(ctx: Context) -> None:
    """Remove one of the member's own words ("kw:del:<intent>:<index>")."""
    found = _intent(ctx.event.data, "kw:del:")
    index = found[1] if found is not None else ""
    if found is None or not index.isdigit():
        await ctx.reply.send(texts.stale_button(ctx.t))
        return
    removed = await ctx.services.keywords.remove(ctx.require_member(), found[0], int(index))
    if removed is None:
        await ctx.reply.send(texts.stale_button(ctx.t))
        return
    await ctx.reply.send(ctx.t.gettext('Removed "{word}".').format(word=removed))
    await _card(ctx)


def refusal_text(t: Translator, refused: KeywordRefused) -> str:
    """Why a word cannot be one of the member's keywords."""
    _ = t.gettext
    if refused.reason is Refusal.EMPTY:
        return _("A keyword needs letters or digits; spaces, punctuation and emoji don't count.")
    if refused.reason is Refusal.TOO_LONG:
        return _("A keyword can be {limit} characters at most.").format(limit=MAX_KEYWORD_LENGTH)
    if refused.reason is Refusal.TOO_MANY:
        return _("You can have {limit} keywords of your own; remove one first.").format(
            limit=MAX_OWN_KEYWORDS
        )
    clash = refused.clash.keyword if refused.clash is not None else refused.keyword
    return _('"{word}" already does something else: "{clash}" is a standard keyword.').format(
        word=refused.keyword.strip(), clash=clash
    )


@router.command("optouts")
async def export_optouts(ctx: Context) -> None:
    """How many people opted out, and the list as a file. Nobody's own opt-out can be undone
    by the member: only the recipient lifts it (START, or a new opt-in)."""
    member = ctx.require_member()
    count, content = await ctx.services.recipients.export_csv(member)
    _ = ctx.t.gettext
    if count == 0:
        await ctx.reply.send(_("Nobody has opted out of your messages."))
        return
    await ctx.reply.send_document(
        "opt-outs.csv",
        content,
        caption=_(
            "{count} addresses that opted out of your messages. They stay opted out until "
            "they opt back in themselves."
        ).format(count=ctx.t.number(count)),
    )
