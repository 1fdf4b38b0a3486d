"""A small router in aiogram's image, for handlers written once for both chat platforms.

Each feature module owns a Router; handlers/__init__.py includes them in an explicit order and
the first matching route wins, so a narrow route must be included before a catch-all.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from bot.conversation.events import EventKind, Incoming

if TYPE_CHECKING:
    from bot.conversation.context import Context

Handler = Callable[["Context"], Awaitable[None]]
ANY_STATE = "*"


class Access(Enum):
    """Who may reach a route."""

    ANYONE = "anyone"  # also people who never sent /start
    REGISTERED = "registered"  # started, maybe still choosing language or accepting terms
    MEMBER = "member"  # accepted the current terms
    # Any member, also one who deleted the account and may still restore it or take their
    # data with them (/restore, /mydata).
    ACCOUNT = "account"
    # One of the configured operators (ADMIN_*_IDS), checked for every event whatever its
    # payload says; member or not.
    OPERATOR = "operator"


@dataclass(frozen=True, slots=True)
class Route:
    """One handler and the events it answers."""

    handler: Handler
    kinds: frozenset[EventKind]
    access: Access
    commands: frozenset[str] = frozenset()
    prefix: str | None = None
    state: str | None = ANY_STATE

    def matches(self, event: Incoming, state: str | None) -> bool:
        """Whether this route answers the event in the member's current dialog state."""
        if event.kind not in self.kinds:
            return False
        if self.commands and event.command not in self.commands:
            return False
        if self.prefix is not None and not (event.data or "").startswith(self.prefix):
            return False
        return self.state == ANY_STATE or self.state == state


class Router:
    """Collects routes; include other routers to compose a feature tree."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._routes: list[Route] = []
        self._children: list[Router] = []

    def include(self, *routers: Router) -> None:
        """Add routers whose routes are tried after this router's own."""
        self._children.extend(routers)

    def routes(self) -> Iterator[Route]:
        """Every route of this router and its children, in matching order."""
        yield from self._routes
        for child in self._children:
            yield from child.routes()

    def resolve(self, event: Incoming, state: str | None) -> Route | None:
        """The first route that answers the event, if any."""
        return next((route for route in self.routes() if route.matches(event, state)), None)

    def _register(self, route_args: dict[str, object]) -> Callable[[Handler], Handler]:
        def decorator(handler: Handler) -> Handler:
            self._routes.append(Route(handler=handler, **route_args))  # type: ignore[arg-type]
            return handler

        return decorator

    def command(self, *names: str, access: Access = Access.MEMBER) -> Callable[[Handler], Handler]:
        """A slash command ("/name"), in any dialog state."""
        return self._register(
            {
                "kinds": frozenset({EventKind.COMMAND}),
                "commands": frozenset(names),
                "access": access,
            }
        )

    def button(
        self, prefix: str, *, state: str | None = ANY_STATE, access: Access = Access.MEMBER
    ) -> Callable[[Handler], Handler]:
        """A button press whose payload starts with `prefix`, optionally only in one state."""
        return self._register(
            {
                "kinds": frozenset({EventKind.BUTTON}),
                "prefix": prefix,
                "state": state,
                "access": access,
            }
        )

    def text(
        self, *, state: str | None = ANY_STATE, access: Access = Access.MEMBER
    ) -> Callable[[Handler], Handler]:
        """Free text, optionally only in one dialog state (None = outside any dialog)."""
        return self._register(
            {"kinds": frozenset({EventKind.TEXT}), "state": state, "access": access}
        )

    def file(
        self, *, state: str | None = ANY_STATE, access: Access = Access.MEMBER
    ) -> Callable[[Handler], Handler]:
        """An uploaded file."""
        return self._register(
            {"kinds": frozenset({EventKind.FILE}), "state": state, "access": access}
        )

    def image(
        self, *, state: str | None = ANY_STATE, access: Access = Access.MEMBER
    ) -> Callable[[Handler], Handler]:
        """A picture sent as a photo (a picture sent as a file is a `file`)."""
        return self._register(
            {"kinds": frozenset({EventKind.IMAGE}), "state": state, "access": access}
        )

    def event(
        self, *kinds: EventKind, access: Access = Access.ANYONE
    ) -> Callable[[Handler], Handler]:
        """Any of the given kinds, in any state: follow events and catch-alls."""
        return self._register({"kinds": frozenset(kinds), "access": access})
