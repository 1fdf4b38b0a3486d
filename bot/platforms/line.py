"""LINE: signed webhook events in, neutral events out; replies out through the LINE SDK."""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import re
import uuid
from dataclasses import dataclass

from aiogram.fsm.storage.base import StorageKey
from linebot.v3 import WebhookParser
from linebot.v3.messaging import (
    AsyncApiClient,
    AsyncMessagingApi,
    AsyncMessagingApiBlob,
    Configuration,
    ImageMessage,
    PostbackAction,
    PushMessageRequest,
    QuickReply,
    QuickReplyItem,
    ReplyMessageRequest,
    TextMessage,
)
from linebot.v3.messaging.exceptions import ApiException
from linebot.v3.webhooks import (
    Event,
    FileMessageContent,
    FollowEvent,
    ImageMessageContent,
    MessageEvent,
    PostbackEvent,
    TextMessageContent,
    UnfollowEvent,
    UserSource,
)

from bot.config import Settings
from bot.conversation import Conversation, EventKind, FileRef, Incoming, Keyboard, parse_command
from bot.conversation.responder import SentRef
from bot.platforms import MalformedWebhook
from bot.services.downloads import DownloadService
from models import Platform

log = logging.getLogger(__name__)

# Limits from the Messaging API reference.
MAX_MESSAGES_PER_REQUEST = 5
MAX_TEXT_LENGTH = 5000
MAX_QUICK_REPLY_ITEMS = 13
MAX_ACTION_LABEL = 20
_USER_ID = re.compile(r"U[0-9a-f]{32}")
# LINE members may type the bare word instead of a command, as the LINE app has no command menu.
_BARE_COMMANDS = frozenset({"start", "help"})


@dataclass(slots=True)
class LineChannel:
    """The LINE SDK clients for one channel; a context the app closes on shutdown."""

    api_client: AsyncApiClient
    data_client: AsyncApiClient
    messaging: AsyncMessagingApi
    blob: AsyncMessagingApiBlob
    parser: WebhookParser
    channel_secret: bytes

    @classmethod
    def build(cls, settings: Settings) -> LineChannel:
        """Clients pointed at the configured API hosts (real or sandbox)."""
        if settings.LINE_CHANNEL_ACCESS_TOKEN is None or settings.LINE_CHANNEL_SECRET is None:
            raise ValueError("LINE is not configured")  # pragma: no cover - callers check
        token = settings.LINE_CHANNEL_ACCESS_TOKEN.get_secret_value()
        secret = settings.LINE_CHANNEL_SECRET.get_secret_value()
        api_client = AsyncApiClient(Configuration(host=settings.LINE_API_URL, access_token=token))
        data_client = AsyncApiClient(
            Configuration(host=settings.LINE_DATA_API_URL, access_token=token)
        )
        return cls(
            api_client=api_client,
            data_client=data_client,
            messaging=AsyncMessagingApi(api_client),
            blob=AsyncMessagingApiBlob(data_client),
            # The web layer checks the signature over the raw bytes before parsing.
            parser=WebhookParser(secret, skip_signature_verification=lambda: True),
            channel_secret=secret.encode(),
        )

    async def close(self) -> None:
        """Close both HTTP clients."""
        await self.api_client.close()
        await self.data_client.close()


def dialog_key(user_id: str) -> StorageKey:
    """A storage key for a LINE user in aiogram's FSM storage.

    aiogram keys are integers; a LINE user id is "U" plus 128 bits in hex, which is one.
    bot_id 0 never collides with Telegram, whose bot ids are positive.
    """
    if _USER_ID.fullmatch(user_id):
        number = int(user_id[1:], 16)
    else:
        number = int.from_bytes(hashlib.blake2b(user_id.encode(), digest_size=8).digest(), "big")
    return StorageKey(bot_id=0, chat_id=number, user_id=number)


# What the SDK's parser raises for a body that is JSON of another shape: it indexes and
# concatenates what it finds without checking types, and validates events with pydantic
# (whose ValidationError is a ValueError). RecursionError: JSON nested too deep to decode.
_PARSER_ERRORS = (ValueError, KeyError, TypeError, AttributeError, RecursionError)


def parse_events(parser: WebhookParser, body: bytes) -> list[Event]:
    """The events of a webhook body whose signature the caller checked; MalformedWebhook if
    it is not a webhook body. Events of types the SDK does not know come as UnknownEvent."""
    try:
        # The signature argument is unused: the parser is built to skip its own check.
        return list(parser.parse(body.decode("utf-8"), ""))
    except _PARSER_ERRORS as error:
        raise MalformedWebhook("line: not a webhook body") from error


def unfollowed_by(event: Event) -> str | None:
    """The user id of someone who unfollowed (blocked) the account, if that is the event."""
    source = getattr(event, "source", None)
    if isinstance(event, UnfollowEvent) and isinstance(source, UserSource):
        return source.user_id
    return None


def event_to_incoming(event: Event, *, language_code: str | None = None) -> Incoming | None:
    """The neutral event for a LINE webhook event from a user; None for what members don't send."""
    source = getattr(event, "source", None)
    if not isinstance(source, UserSource) or not source.user_id:
        return None
    user_id = source.user_id
    fields: dict[str, object]
    if isinstance(event, FollowEvent):
        fields = {"kind": EventKind.FOLLOW}
    elif isinstance(event, PostbackEvent):
        fields = {"kind": EventKind.BUTTON, "data": event.postback.data}
    elif isinstance(event, MessageEvent):
        fields = _message_fields(event)
    else:
        return None
    return Incoming(
        platform=Platform.LINE,
        user_id=user_id,
        dialog_key=dialog_key(user_id),
        language_code=language_code,
        event_id=getattr(event, "webhook_event_id", None),
        **fields,  # type: ignore[arg-type]
    )


def _message_fields(event: MessageEvent) -> dict[str, object]:
    message = event.message
    if isinstance(message, TextMessageContent):
        text = message.text.strip()
        command = parse_command(text)
        head, _, rest = text.partition(" ")
        if command is None and head.lower() in _BARE_COMMANDS:
            command = (head.lower(), rest.strip())
        if command is not None:
            return {"kind": EventKind.COMMAND, "command": command[0], "text": command[1]}
        return {"kind": EventKind.TEXT, "text": message.text}
    if isinstance(message, FileMessageContent):
        file = FileRef(file_id=message.id, name=message.file_name, size=message.file_size)
        return {"kind": EventKind.FILE, "file": file}
    if isinstance(message, ImageMessageContent) and message.content_provider.type == "line":
        # An image from an external provider (sent through LIFF) has no content on LINE's
        # data host to download: unsupported like a sticker.
        return {"kind": EventKind.IMAGE, "file": FileRef(file_id=message.id, name="image.jpg")}
    return {"kind": EventKind.UNSUPPORTED}


def quick_reply(buttons: Keyboard) -> QuickReply | None:
    """Neutral button rows as LINE quick-reply postback items (flattened, at most 13)."""
    items = [
        QuickReplyItem(
            action=PostbackAction(
                label=button.text[:MAX_ACTION_LABEL], data=button.data, displayText=button.text
            )
        )
        for row in buttons
        for button in row
    ][:MAX_QUICK_REPLY_ITEMS]
    return QuickReply(items=items) if items else None


class LineResponder:
    """Collects a handler's replies and sends them when it is done.

    A reply token is free and carries up to five messages but works once, so the replies are
    batched: the first five go with the token, the rest are pushed. If the token has expired
    (slow handler, redelivered event) everything is pushed instead.
    """

    def __init__(
        self,
        channel: LineChannel,
        user_id: str,
        reply_token: str | None,
        *,
        downloads: DownloadService,
        immediate: bool = False,
    ) -> None:
        self._channel = channel
        self._user_id = user_id
        self._reply_token = reply_token
        self._downloads = downloads
        # A detached responder has no handler end to wait for: it pushes each message at once.
        self._immediate = immediate
        self._pending: list[TextMessage | ImageMessage] = []

    async def send(self, text: str, *, buttons: Keyboard = ()) -> None:
        """Queue a text message (sent by flush(), or at once when detached)."""
        self._pending.append(
            TextMessage(text=text[:MAX_TEXT_LENGTH], quickReply=quick_reply(buttons))
        )
        if self._immediate:
            await self.flush()

    async def edit(self, ref: SentRef, text: str, *, buttons: Keyboard = ()) -> None:
        """LINE messages cannot be edited; progress is shown by the final message instead."""

    async def send_document(self, name: str, content: bytes, *, caption: str = "") -> None:
        """LINE bots cannot send files: the file goes behind a download link."""
        url = await self._downloads.publish(name, content)
        await self.send(f"{caption}\n{url}" if caption else url)

    async def send_image(
        self, name: str, png: bytes, *, caption: str = "", preview: bytes | None = None
    ) -> None:
        """An image message; LINE fetches the picture from our download link."""
        url = await self._downloads.publish(name, png)
        # LINE's preview must stay under 1 MB: a small picture can be its own preview.
        preview_url = url if preview is None else await self._downloads.publish(name, preview)
        if caption:
            await self.send(caption)
        self._pending.append(ImageMessage(originalContentUrl=url, previewImageUrl=preview_url))
        if self._immediate:
            await self.flush()

    async def ask_phone(self, text: str, *, label: str) -> None:
        """LINE has no way to share a phone number with a bot: the text alone."""
        await self.send(text)

    def detached(self) -> LineResponder:
        """A responder that pushes, for work that continues after this event."""
        return LineResponder(
            self._channel, self._user_id, None, downloads=self._downloads, immediate=True
        )

    async def download(self, file: FileRef) -> bytes:
        """Fetch an uploaded file's bytes from the data host."""
        return bytes(await self._channel.blob.get_message_content(file.file_id))

    async def flush(self) -> None:
        """Send everything queued: reply first, push the rest."""
        pending, self._pending = self._pending, []
        if not pending:
            return
        if self._reply_token is not None:
            token, self._reply_token = self._reply_token, None
            first, pending = pending[:MAX_MESSAGES_PER_REQUEST], pending[MAX_MESSAGES_PER_REQUEST:]
            try:
                await self._channel.messaging.reply_message(
                    ReplyMessageRequest(replyToken=token, messages=first)  # type: ignore[arg-type]
                )
            except ApiException as error:
                if error.status != 400:
                    raise
                log.info("reply token refused, pushing instead", extra={"status": error.status})
                pending = first + pending
        for start in range(0, len(pending), MAX_MESSAGES_PER_REQUEST):
            batch = pending[start : start + MAX_MESSAGES_PER_REQUEST]
            await self._channel.messaging.push_message(
                PushMessageRequest(to=self._user_id, messages=batch),  # type: ignore[arg-type]
                # A retried request with the same key is never delivered twice.
                x_line_retry_key=str(uuid.uuid4()),
            )


async def dispatch_event(
    channel: LineChannel, conversation: Conversation, event: Event, *, downloads: DownloadService
) -> None:
    """Run one webhook event through the conversation and send the replies it produced."""
    incoming = event_to_incoming(event)
    if incoming is None:
        return
    if incoming.kind is EventKind.FOLLOW or incoming.command == "start":
        # LINE events carry no language; the profile does, so a newcomer is greeted in theirs.
        language = await _profile_language(channel, incoming.user_id)
        incoming = dataclasses.replace(incoming, language_code=language)
    responder = LineResponder(
        channel, incoming.user_id, getattr(event, "reply_token", None), downloads=downloads
    )
    await conversation.handle(incoming, responder)
    await responder.flush()


async def _profile_language(channel: LineChannel, user_id: str) -> str | None:
    try:
        profile = await channel.messaging.get_profile(user_id)
    except ApiException as error:
        log.info("profile lookup failed", extra={"status": error.status})
        return None
    return profile.language
