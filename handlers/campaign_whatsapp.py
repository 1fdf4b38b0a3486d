"""/new, WhatsApp's part: the approved template, its language and what fills its parameters.

WhatsApp only carries a business's first message as a template Meta approved; the schedule
follows in handlers/campaigns.py.
"""

from __future__ import annotations

import re

from bot.conversation import Button, Context, Router
from bot.services.campaigns.placeholders import MessageTemplate, PlaceholderError
from handlers.campaign_texts import placeholder_problem
from handlers.campaigns import ask_schedule, cancel_row
from handlers.states import CampaignDialog

router = Router("campaign_whatsapp")
D = CampaignDialog

# Meta's rules: template names are lowercase letters, digits and "_"; languages "es", "en_US".
_TEMPLATE = re.compile(r"[a-z0-9_]{1,512}")
_LANGUAGE = re.compile(r"([a-z]{2,3})(?:[_-]([a-z]{2}))?", re.IGNORECASE)


async def ask_template(ctx: Context) -> None:
    """Ask for the approved template's name."""
    await ctx.state.set_state(D.wa_template)
    await ctx.reply.send(
        ctx.t.gettext(
            "WhatsApp sends campaigns as templates that Meta has approved. Send the template's "
            "name exactly as approved (for example: spring_sale)."
        ),
        buttons=[cancel_row(ctx.t)],
    )


@router.text(state=D.wa_template.state)
async def set_template(ctx: Context) -> None:
    """The approved template's name."""
    name = ctx.event.text.strip()
    _ = ctx.t.gettext
    if not _TEMPLATE.fullmatch(name):
        await ctx.reply.send(
            _("Template names have only lowercase letters, digits and _. Send it again."),
            buttons=[cancel_row(ctx.t)],
        )
        return
    await ctx.state.update_data(wa_template=name)
    await ctx.state.set_state(D.wa_language)
    await ctx.reply.send(
        _("Which language was the template approved in? Send its code, like es or en_US."),
        buttons=[cancel_row(ctx.t)],
    )


@router.text(state=D.wa_language.state)
async def set_language(ctx: Context) -> None:
    """The template's language code, as Meta writes it ("en_US")."""
    match = _LANGUAGE.fullmatch(ctx.event.text.strip())
    _ = ctx.t.gettext
    if match is None:
        await ctx.reply.send(
            _("That is not a language code. Send one like es, en or en_US."),
            buttons=[cancel_row(ctx.t)],
        )
        return
    language, region = match.groups()
    code = language.lower() + (f"_{region.upper()}" if region else "")
    await ctx.state.update_data(wa_language=code)
    await ctx.state.set_state(D.wa_params)
    await ctx.reply.send(
        _(
            "What fills the template's parameters {{1}}, {{2}}…? Send placeholder names in "
            "order, separated by commas (for example: first_name, city|home), or tap None."
        ),
        buttons=[[Button(_("None"), "new:wa_none")], cancel_row(ctx.t)],
    )


@router.button("new:wa_none", state=D.wa_params.state)
async def no_parameters(ctx: Context) -> None:
    """A template without parameters."""
    await ctx.state.update_data(wa_params=[])
    await ask_schedule(ctx)


@router.text(state=D.wa_params.state)
async def set_parameters(ctx: Context) -> None:
    """Placeholder names, each checked as the message's placeholders are."""
    names = [part.strip().strip("{}").strip() for part in ctx.event.text.split(",")]
    names = [name for name in names if name]
    for name in names:
        try:
            MessageTemplate.parse("{" + name + "}")
        except PlaceholderError as error:
            problem = placeholder_problem(ctx.t, error, "{" + name + "}")
            await ctx.reply.send(problem, buttons=[cancel_row(ctx.t)])
            return
    await ctx.state.update_data(wa_params=names)
    await ask_schedule(ctx)
