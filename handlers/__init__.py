"""The member conversation, written once for Telegram and LINE."""

from __future__ import annotations

from bot.conversation import Router
from bot.conversation.dispatcher import Gates
from handlers import (
    admin,
    admin_actions,
    admin_appeals,
    admin_dnc,
    admin_members,
    admin_notices,
    admin_review,
    admin_rules,
    appeals,
    campaign_compose,
    campaign_manage,
    campaign_whatsapp,
    campaigns,
    contacts,
    fallback,
    files,
    imports,
    link,
    lists,
    notices,
    optin,
    optouts,
    privacy,
    recipients,
    replies,
    settings,
    start,
    usage,
)


def build_router() -> Router:
    """Every feature router, in matching order: narrow routes first, the catch-all last."""
    root = Router("root")
    root.include(
        start.router,
        optin.router,
        settings.router,
        notices.router,
        link.router,
        imports.router,
        lists.router,
        contacts.router,
        campaign_compose.router,
        campaign_whatsapp.router,
        campaigns.router,
        campaign_manage.router,
        replies.router,
        optouts.router,
        usage.router,
        privacy.router,
        admin.router,
        admin_members.router,
        admin_actions.router,
        admin_appeals.router,
        appeals.router,
        admin_notices.router,
        admin_dnc.router,
        admin_review.router,
        admin_rules.router,
        files.router,
        fallback.router,
    )
    return root


def build_gates() -> Gates:
    """What answers an event that may not reach its route."""
    return Gates(
        unregistered=fallback.unregistered,
        onboarding=fallback.onboarding,
        deleted=privacy.deleted_gate,
        not_operator=fallback.fallback,
        failure=fallback.failure,
        recipient=recipients.answer,
        suspended=appeals.suspended_gate,
    )
