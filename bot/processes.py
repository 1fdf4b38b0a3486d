"""The long-running parts a process can be made of: web server, Telegram intake, worker.

run_bot.py picks which of these a command runs; each waits on one `stop` event so SIGTERM
shuts everything down in order.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from aiohttp import web

from bot.app import App
from bot.i18n import SUPPORTED_LOCALES
from bot.platforms.telegram import publish_commands
from bot.scheduler import Job, run_jobs
from bot.web import build_web_app
from handlers.texts import command_menu

log = logging.getLogger(__name__)


async def serve_web(app: App, stop: asyncio.Event) -> None:
    """Serve webhooks, health and metrics on WEB_HOST:WEB_PORT until stopped."""
    runner = web.AppRunner(build_web_app(app), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, app.settings.WEB_HOST, app.settings.WEB_PORT)
    await site.start()
    log.info(
        "web server listening", extra={"host": app.settings.WEB_HOST, "port": app.settings.WEB_PORT}
    )
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


async def telegram_intake(app: App, stop: asyncio.Event, *, webhook_url: str | None) -> None:
    """Publish the command menu, then register the webhook, or long-poll until stopped."""
    if app.telegram is None:
        return
    menus = {locale: command_menu(app.i18n.translator(locale)) for locale in SUPPORTED_LOCALES}
    await publish_commands(app.telegram.bot, menus)
    if not await register_telegram_webhook(app, webhook_url):
        await poll_telegram(app, stop)


async def register_telegram_webhook(app: App, url: str | None) -> bool:
    """Point Telegram at our webhook `url` (TELEGRAM_WEBHOOK_URL); False when there is none."""
    if app.telegram is None or not url:
        return False
    secret = app.settings.TELEGRAM_WEBHOOK_SECRET
    await app.telegram.bot.set_webhook(
        url,
        secret_token=secret.get_secret_value() if secret else None,
        allowed_updates=app.telegram.dispatcher.resolve_used_update_types(),
    )
    log.info("telegram webhook registered")
    return True


async def poll_telegram(app: App, stop: asyncio.Event) -> None:
    """Long-poll Telegram for updates until stopped (when no webhook URL is configured)."""
    if app.telegram is None:
        return
    bot, dispatcher = app.telegram.bot, app.telegram.dispatcher
    await bot.delete_webhook()
    polling = asyncio.create_task(
        dispatcher.start_polling(bot, handle_signals=False, close_bot_session=False)
    )
    stopping = asyncio.create_task(stop.wait())
    await asyncio.wait({polling, stopping}, return_when=asyncio.FIRST_COMPLETED)
    if not polling.done():
        await dispatcher.stop_polling()
    stopping.cancel()
    await polling


def scheduled_jobs(app: App) -> list[Job]:
    """The periodic jobs every worker runs."""
    services = app.services
    return [
        Job("purge-link-codes", timedelta(minutes=10), services.members.purge_expired_link_codes),
        Job("purge-deleted-lists", timedelta(hours=1), services.lists.purge_expired),
        Job("purge-deleted-contacts", timedelta(hours=1), services.contacts.purge_expired),
        Job("resume-imports", timedelta(seconds=30), services.imports.resume_stalled),
        Job("purge-stale-uploads", timedelta(hours=1), services.imports.purge_stale_uploads),
        Job("purge-downloads", timedelta(hours=1), services.downloads.purge_expired),
        Job("purge-unused-images", timedelta(hours=1), services.images.purge_unused),
        Job("purge-inbound-events", timedelta(hours=1), services.inbound.purge_expired),
        Job("purge-old-usage", timedelta(hours=6), services.usage.purge_expired),
        Job(
            "purge-old-delivery-details",
            timedelta(hours=1),
            services.retention.purge_delivery_details,
        ),
        Job("purge-old-replies", timedelta(hours=6), services.retention.purge_replies),
        Job("purge-deleted-accounts", timedelta(hours=1), services.accounts.purge_expired),
        Job("announce-new-terms", timedelta(minutes=5), services.members.announce_new_terms),
        Job("start-scheduled-campaigns", timedelta(seconds=5), services.campaigns.start_due),
        # Held deliveries now due, unfinished launches, work a restart lost from the queue.
        Job("sweep-campaigns", timedelta(seconds=5), services.campaigns.sweep),
        Job("report-ended-campaigns", timedelta(seconds=15), services.campaigns.report_ended),
        # Announcements whose delivering process died: the rows nobody tried yet.
        Job("resume-announcements", timedelta(seconds=30), services.announcements.resume),
    ]


async def run_worker(app: App, stop: asyncio.Event) -> None:
    """The dispatcher worker and the scheduler."""
    async with asyncio.TaskGroup() as group:
        group.create_task(app.engine.run(stop))
        group.create_task(run_jobs(scheduled_jobs(app), stop))


async def run_everything(app: App, stop: asyncio.Event) -> None:
    """The embedded default: web server, Telegram intake and worker in one process."""
    async with asyncio.TaskGroup() as group:
        group.create_task(serve_web(app, stop))
        group.create_task(run_worker(app, stop))
        group.create_task(telegram_intake(app, stop, webhook_url=app.settings.TELEGRAM_WEBHOOK_URL))


async def run_web(app: App, stop: asyncio.Event) -> None:
    """A web process: serve, and register the Telegram webhook when one is configured."""
    await register_telegram_webhook(app, app.settings.TELEGRAM_WEBHOOK_URL)
    await serve_web(app, stop)
