"""The aiohttp routes: the three platforms' webhooks, health and metrics.

Every webhook checks its signature over the raw body before anything is parsed; a bad or
missing signature gets 401 and nothing is processed. Accepted events are processed in the
background so the platform gets its 200 at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import mimetypes
from urllib.parse import quote

from aiohttp import web
from tortoise import connections

from bot.app import App
from bot.dispatch.channels import Outgoing
from bot.metrics import CONTENT_TYPE_LATEST
from bot.platforms import MalformedWebhook, whatsapp
from bot.platforms.line import dispatch_event, parse_events, unfollowed_by
from bot.platforms.telegram_webhook import CheckedRequestHandler
from handlers.recipients import answer_whatsapp as answer_recipient
from models import Channel

log = logging.getLogger(__name__)

APP_KEY = web.AppKey("broadside", App)
# Webhook bodies are small JSON documents; anything near this is not from a platform.
MAX_WEBHOOK_BODY = 1024 * 1024


def build_web_app(app: App) -> web.Application:
    """The web application for one process."""
    web_app = web.Application(client_max_size=MAX_WEBHOOK_BODY)
    web_app[APP_KEY] = app
    web_app.router.add_get("/healthz", healthz)
    web_app.router.add_get("/metrics", metrics)
    _add_telegram_route(web_app, app)
    web_app.router.add_post("/webhooks/line", line_webhook)
    web_app.router.add_get("/webhooks/whatsapp", whatsapp_handshake)
    web_app.router.add_post("/webhooks/whatsapp", whatsapp_webhook)
    web_app.router.add_get("/downloads/{token}/{name}", download)
    web_app.router.add_get("/media/{token}", campaign_image)
    web_app.router.add_get("/media/{token}/preview", campaign_image)
    return web_app


def _add_telegram_route(web_app: web.Application, app: App) -> None:
    secret = app.settings.TELEGRAM_WEBHOOK_SECRET
    if app.telegram is None or secret is None:
        # Without a shared secret no request can prove it comes from Telegram.
        web_app.router.add_post("/webhooks/telegram", _refuse_telegram)
        return
    handler = CheckedRequestHandler(
        on_malformed=app.metrics.webhook_requests.labels("telegram", "malformed").inc,
        dispatcher=app.telegram.dispatcher,
        bot=app.telegram.bot,
        secret_token=secret.get_secret_value(),
        handle_in_background=True,
    )
    handler.register(web_app, path="/webhooks/telegram")


async def _refuse_telegram(request: web.Request) -> web.Response:
    request.app[APP_KEY].metrics.webhook_requests.labels("telegram", "unauthorized").inc()
    return web.Response(status=401, text="Unauthorized")


async def healthz(request: web.Request) -> web.Response:
    """200 when the database (and Redis, if configured) answer; 503 otherwise."""
    app = request.app[APP_KEY]
    checks: dict[str, str] = {}
    try:
        await connections.get("default").execute_query("SELECT 1")
        checks["database"] = "ok"
    except Exception as error:  # noqa: BLE001 - any failure means unhealthy, reported by type
        checks["database"] = type(error).__name__
    if app.redis is not None:
        try:
            await app.redis.ping()
            checks["redis"] = "ok"
        except Exception as error:  # noqa: BLE001
            checks["redis"] = type(error).__name__
    healthy = all(value == "ok" for value in checks.values())
    return web.json_response(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )


async def metrics(request: web.Request) -> web.Response:
    """Prometheus text exposition."""
    body = request.app[APP_KEY].metrics.render()
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


async def download(request: web.Request) -> web.Response:
    """A file published by link (LINE exports and reports), while it has not expired."""
    found = await request.app[APP_KEY].services.downloads.fetch(request.match_info["token"])
    if found is None:
        return web.Response(status=404, text="This link has expired.")
    content_type = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
    return web.Response(
        body=found.content,
        headers={
            "Content-Type": content_type,
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(found.name)}",
            "Cache-Control": "private, no-store",
        },
    )


async def campaign_image(request: web.Request) -> web.Response:
    """A campaign's picture (or its preview) for LINE and WhatsApp, which fetch it by link."""
    image = await request.app[APP_KEY].services.images.fetch(request.match_info["token"])
    if image is None:
        return web.Response(status=404, text="No such picture.")
    preview = request.path.endswith("/preview")
    return web.Response(
        body=image.preview if preview else image.content,
        headers={
            "Content-Type": "image/jpeg" if preview else image.mime_type,
            # The platforms fetch it once per campaign or so; it never changes under its token.
            "Cache-Control": "public, max-age=86400, immutable",
        },
    )


async def line_webhook(request: web.Request) -> web.Response:
    """LINE events: X-Line-Signature is base64(HMAC-SHA256(channel secret, raw body))."""
    app = request.app[APP_KEY]
    counter = app.metrics.webhook_requests
    if app.line is None:
        counter.labels("line", "disabled").inc()
        return web.Response(status=404, text="LINE is not configured")
    body = await request.read()
    expected = base64.b64encode(hmac.new(app.line.channel_secret, body, hashlib.sha256).digest())
    signature = request.headers.get("X-Line-Signature", "").encode()
    if not hmac.compare_digest(signature, expected):
        counter.labels("line", "unauthorized").inc()
        return web.Response(status=401, text="Invalid signature")
    try:
        events = parse_events(app.line.parser, body)
    except MalformedWebhook:
        counter.labels("line", "malformed").inc()
        return web.Response(status=400, text="Malformed body")
    counter.labels("line", "accepted").inc()
    for event in events:
        event_id = getattr(event, "webhook_event_id", None)
        if event_id and not await app.services.inbound.first_time(f"line:{event_id}"):
            continue  # a redelivery (isRedelivery) of an event already handled
        if (user_id := unfollowed_by(event)) is not None:
            signal = app.services.left_channel("line", user_id, "unfollowed")
            app.tasks.spawn(signal, name="line-unfollow")
            continue
        app.tasks.spawn(
            dispatch_event(app.line, app.conversation, event, downloads=app.services.downloads),
            name="line-event",
        )
    return web.Response(text="OK")


async def whatsapp_handshake(request: web.Request) -> web.Response:
    """Meta's subscription check: echo hub.challenge when hub.verify_token is ours."""
    app = request.app[APP_KEY]
    token = app.settings.WHATSAPP_VERIFY_TOKEN
    challenge = (
        whatsapp.verify_handshake(request.query, token.get_secret_value()) if token else None
    )
    if challenge is None:
        return web.Response(status=403, text="Forbidden")
    return web.Response(text=challenge)


async def whatsapp_webhook(request: web.Request) -> web.Response:
    """Recipient messages and delivery statuses, signed with the app secret."""
    app = request.app[APP_KEY]
    counter = app.metrics.webhook_requests
    secret = app.settings.WHATSAPP_APP_SECRET
    if secret is None:
        counter.labels("whatsapp", "disabled").inc()
        return web.Response(status=404, text="WhatsApp is not configured")
    body = await request.read()
    header = request.headers.get(whatsapp.SIGNATURE_HEADER)
    if not whatsapp.signature_valid(body, header, secret.get_secret_value().encode()):
        counter.labels("whatsapp", "unauthorized").inc()
        return web.Response(status=401, text="Invalid signature")
    try:
        values = whatsapp.parse_body(body)
    except MalformedWebhook:
        counter.labels("whatsapp", "malformed").inc()
        return web.Response(status=400, text="Malformed body")
    counter.labels("whatsapp", "accepted").inc()
    for value in values:
        log.info(
            "whatsapp change received",
            extra={
                "messages": whatsapp.count(value, "messages"),
                "statuses": whatsapp.count(value, "statuses"),
            },
        )
        first_time = app.services.inbound.first_time
        for update in whatsapp.statuses(value):
            if await first_time(f"whatsapp:status:{update.message_id}:{update.status}"):
                app.tasks.spawn(app.statuses.whatsapp(update), name="whatsapp-status")
        for reply in whatsapp.text_messages(value):
            if not reply.message_id or await first_time(f"whatsapp:msg:{reply.message_id}"):
                app.tasks.spawn(answer_whatsapp(app, reply), name="whatsapp-reply")
        for choice in whatsapp.marketing_preferences(value):
            # A stop holds like a block; a resume alone does not lift it (only START or a new
            # opt-in does), so it is only logged.
            # The number by its keyed hash: the event log is in the database too.
            number = app.services.sealer.lookup(choice.phone)
            key = f"whatsapp:pref:{number}:{choice.stop}:{choice.timestamp}"
            if choice.stop and await first_time(key):
                stopped = app.services.left_channel("whatsapp", choice.phone, "marketing stop")
                app.tasks.spawn(stopped, name="whatsapp-marketing-stop")
            elif not choice.stop:
                log.info("whatsapp marketing resume: not a re-subscription")
    return web.Response(text="OK")


async def answer_whatsapp(app: App, reply: whatsapp.TextReply) -> None:
    """A recipient's WhatsApp message: keywords applied and confirmed on WhatsApp."""
    sender = app.senders.get(Channel.WHATSAPP)
    if sender is None:
        return

    async def send(phone: str, text: str) -> None:
        # Not a campaign delivery: no delivery row, so no delivery id to carry.
        await sender.send([Outgoing(0, phone, text)])

    await answer_recipient(app.services, app.i18n, send, reply)
