"""The Redis keys of one limit scope (a provider, or a provider and a sender number)."""

from dataclasses import dataclass

PREFIX = "bulksms:limit"


@dataclass(frozen=True, slots=True)
class LimitKeys:
    """Where one scope keeps its effective rate, its two TATs and its in-flight leases.

    The scope is a hash tag ({sens}) so one script's keys share a Redis Cluster slot.
    """

    scope: str

    @classmethod
    def of(cls, provider: str, sender: str | None = None) -> "LimitKeys":
        """The provider's keys, or the provider-and-sender's when `sender` is given."""
        return cls(provider if sender is None else f"{provider}:{sender}")

    @property
    def rate(self) -> str:
        """Hash: rate (requests/s); stepped_at, slowed_at, counts_after (µs); slow_downs."""
        return f"{PREFIX}:{{{self.scope}}}:rate"

    @property
    def requests(self) -> str:
        """String: the request TAT (µs)."""
        return f"{PREFIX}:{{{self.scope}}}:tat:requests"

    @property
    def messages(self) -> str:
        """String: the message TAT (µs)."""
        return f"{PREFIX}:{{{self.scope}}}:tat:messages"

    @property
    def in_flight(self) -> str:
        """Sorted set: holder id scored by its lease expiry (µs)."""
        return f"{PREFIX}:{{{self.scope}}}:in_flight"

    def all(self) -> list[str]:
        """Every key, in the order the acquire script takes them."""
        return [self.rate, self.requests, self.messages, self.in_flight]
