"""Prometheus metrics, on a registry owned by the app rather than the library's global one."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

__all__ = ["CONTENT_TYPE_LATEST", "Metrics"]


class Metrics:
    """Every metric this process exposes on /metrics."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.webhook_requests = Counter(
            "broadside_webhook_requests",
            "Webhook requests received, by platform and outcome.",
            ["platform", "outcome"],
            registry=self.registry,
        )
        self.conversation_events = Counter(
            "broadside_conversation_events",
            "Member chat events handled, by platform and kind.",
            ["platform", "kind"],
            registry=self.registry,
        )
        self.handler_failures = Counter(
            "broadside_handler_failures",
            "Member chat events whose handler raised, by platform.",
            ["platform"],
            registry=self.registry,
        )

    def render(self) -> bytes:
        """The Prometheus text exposition of every metric."""
        return generate_latest(self.registry)
