"""Telegram's flood control, opt-in: the broadcast limits the Bot API documents, enforced.

Telegram's FAQ: a bot should not send "more than 30 messages per second or so" across chats,
nor "more than one message per second in a particular chat"; past that it answers 429 with
`retry_after`. The sandbox counts each message on arrival (after the token, method and spec
checks: a malformed request is a 400, never a 429) over a moving one-second window, per bot
token and per (token, chat). A moving window, not a fixed one: a fixed window lets twice the
limit through across a boundary, and a test that passes against it proves little. Only
messages let through are counted: a refused one was not sent, and counting refusals would
lock out a client that keeps trying.

Off by default, so that tests and the console's conversations (a reply and a menu a moment
apart in one chat) are not throttled; `Sandbox(telegram_limits=TelegramLimits())` or
`run_bot.py sandbox --telegram-limits` turns it on.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

# What counts as a message: the send* methods but the typing indicator, and the copies.
_NOT_MESSAGES = frozenset({"sendchataction"})
_ALSO_MESSAGES = frozenset({"copymessage", "copymessages", "forwardmessage", "forwardmessages"})


@dataclass(frozen=True, slots=True)
class TelegramLimits:
    """How many messages Telegram lets through per `window` seconds: per bot across chats,
    and per chat (None: not limited)."""

    per_bot: int = 30
    per_chat: int | None = 1
    window: float = 1.0

    def __post_init__(self) -> None:
        if self.per_bot < 1 or (self.per_chat is not None and self.per_chat < 1):
            raise ValueError("limits are at least one message")
        if self.window <= 0:
            raise ValueError("the window is a positive number of seconds")


def counts_as_message(method: str) -> bool:
    """Whether a Bot API call sends a message (and so falls under the limits)."""
    name = method.lower()
    return name in _ALSO_MESSAGES or (name.startswith("send") and name not in _NOT_MESSAGES)


class _Window:
    """Arrival times (seconds) of the messages let through in the last `span` seconds."""

    __slots__ = ("arrivals", "span")

    def __init__(self, span: float) -> None:
        self.span = span
        self.arrivals: deque[float] = deque()

    def wait(self, now: float, limit: int) -> float:
        """Seconds until one more fits (0: it fits now)."""
        while self.arrivals and self.arrivals[0] <= now - self.span:
            self.arrivals.popleft()
        if len(self.arrivals) < limit:
            return 0.0
        # The window frees a place when the arrival `limit` back from the end leaves it.
        return self.arrivals[-limit] + self.span - now


class FloodControl:
    """Moving-window counters per bot token and per (token, chat)."""

    def __init__(self, limits: TelegramLimits) -> None:
        self.limits = limits
        self._bots: dict[str, _Window] = {}
        self._chats: dict[tuple[str, str], _Window] = {}
        self.refused = 0
        # The most messages let through in any one window: the limit, when a client uses it all.
        self.busiest = 0

    def admit(self, token: str, chat_id: object, now: float) -> int | None:
        """Let a message to `chat_id` through at `now` (seconds) and count it; or the whole
        seconds to wait, as Telegram's `retry_after` says them (at least 1), when it would
        break a limit."""
        limits = self.limits
        bot = self._bots.setdefault(token, _Window(limits.window))
        wait = bot.wait(now, limits.per_bot)
        chat = None
        if limits.per_chat is not None and chat_id is not None:
            key = (token, str(chat_id))
            chat = self._chats.setdefault(key, _Window(limits.window))
            wait = max(wait, chat.wait(now, limits.per_chat))
        if wait > 0:
            self.refused += 1
            return max(1, math.ceil(wait))
        bot.arrivals.append(now)
        self.busiest = max(self.busiest, len(bot.arrivals))
        if chat is not None:
            chat.arrivals.append(now)
        self._forget_idle_chats(now)
        return None

    def _forget_idle_chats(self, now: float) -> None:
        """Drop the windows of chats with no message in the last window, now and then: a
        campaign to a million chats must not keep a million windows."""
        if len(self._chats) < 4096:
            return
        span = self.limits.window
        self._chats = {
            key: window
            for key, window in self._chats.items()
            if window.arrivals and window.arrivals[-1] > now - span
        }
