"""The breaker's rules as pure functions: when a provider is taken out of use and let back.

As GOV.UK Notify switches providers (it lowers one's priority after 50 errors in 60 s, or
when more than 15 % of its messages take over 5 minutes to be delivered):

- closed → open after `errors_to_open` 5xx / timeout / network errors within the last
  `window_seconds` (an error exactly `window_seconds` old has left the window);
- closed → open at once on a 401/403: every batch would fail the same way;
- closed → open when more than `slow_share` of the messages sent `slow_after_seconds` ago
  or earlier still have no result, counted over at least `slow_min_messages`;
- 429s never count: they only slow the rate limiter;
- open → half-open once `open_seconds` have passed; half-open admits one probe at a time,
  held for `probe_lease_seconds` so a dead worker's probe frees itself;
- half-open → closed on a success (its errors start again from none); half-open → open on a
  failure, the cool-down starting again. While open, results change nothing: only the probe
  (or a success after the cool-down) decides.

The Lua scripts in `worker.health.breaker` apply exactly these rules on the Redis server;
tests/unit/test_breaker_rules.py checks the rules, tests/health/ that the two agree.
Times are epoch seconds from the caller's clock.
"""

from dataclasses import dataclass, field, replace
from enum import StrEnum

from config.settings import BreakerSettings
from worker.providers.errors import AuthFailed, ProviderError, RetryLater, SlowDown, TransportError


class BreakerState(StrEnum):
    """Closed: in use. Open: out of use. Half-open: one probe may go."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class FailureKind(StrEnum):
    """What went wrong with a provider call, as the breaker counts it."""

    SERVER = "server"  # 5xx, NHN system errors
    TIMEOUT = "timeout"
    NETWORK = "network"
    AUTH = "auth"  # 401/403, NHN key errors: opens at once
    RATE_LIMITED = "rate_limited"  # 429: never counted


@dataclass(frozen=True, slots=True)
class BreakerPolicy:
    """The breaker's numbers, from BreakerSettings."""

    errors_to_open: int
    window_seconds: float
    open_seconds: float
    probe_lease_seconds: float
    slow_after_seconds: float
    slow_share: float
    slow_min_messages: int

    @classmethod
    def from_settings(cls, settings: BreakerSettings) -> "BreakerPolicy":
        """The same values; validated by the settings model."""
        return cls(**settings.model_dump())


@dataclass(frozen=True, slots=True)
class Health:
    """One provider's breaker at one moment: its state, why, and since when.

    `errors` (in the current window) and `probe_in_flight` follow from the two fields
    behind them, as Redis holds them: the error times and the probe's lease expiry (0: none).
    Both are as of the moment the health was settled (`settle`; every function here and
    `Breaker.health` settle first).
    """

    provider: str
    state: BreakerState = BreakerState.CLOSED
    reason: str = ""  # "" while closed
    since: float = 0.0  # epoch seconds of the last change
    error_times: tuple[float, ...] = ()
    probe_until: float = 0.0
    errors: int = field(init=False)
    probe_in_flight: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "errors", len(self.error_times))
        object.__setattr__(self, "probe_in_flight", self.probe_until > 0)


@dataclass(frozen=True, slots=True)
class Success:
    """A provider call succeeded."""


@dataclass(frozen=True, slots=True)
class Failure:
    """A provider call failed: its kind and what it said (e.g. "HTTP 503")."""

    kind: FailureKind
    detail: str


@dataclass(frozen=True, slots=True)
class Slow:
    """Of `awaited` messages sent `slow_after_seconds` ago or earlier, `share` have no result."""

    share: float
    awaited: int


@dataclass(frozen=True, slots=True)
class ProbeClaimed:
    """A caller asked to send (`allow`): in half-open it takes the probe if it is free."""


@dataclass(frozen=True, slots=True)
class ProbeReleased:
    """The probe's holder sent nothing after all: another caller may probe."""


Event = Success | Failure | Slow | ProbeClaimed | ProbeReleased


def settle(health: Health, policy: BreakerPolicy, now: float) -> Health:
    """What time alone changes: the cool-down ends, a probe's lease lapses, old errors leave."""
    state, since, probe_until = health.state, health.since, health.probe_until
    if state is BreakerState.OPEN and now >= since + policy.open_seconds:
        state, since, probe_until = BreakerState.HALF_OPEN, since + policy.open_seconds, 0.0
    if probe_until <= now:
        probe_until = 0.0
    start = now - policy.window_seconds
    times = tuple(t for t in health.error_times if t > start)
    return replace(health, state=state, since=since, error_times=times, probe_until=probe_until)


def allows(health: Health, now: float, policy: BreakerPolicy) -> bool:
    """Whether a call may go now: closed, or half-open with no probe in flight."""
    settled = settle(health, policy, now)
    if settled.state is BreakerState.CLOSED:
        return True
    return settled.state is BreakerState.HALF_OPEN and not settled.probe_in_flight


def next_state(health: Health, event: Event, policy: BreakerPolicy, now: float) -> Health:
    """The breaker after `event` at `now`."""
    settled = settle(health, policy, now)
    match event:
        case Success():
            return _closed(settled, now) if settled.state is BreakerState.HALF_OPEN else settled
        case Failure():
            return _failed(settled, event, policy, now)
        case Slow():
            return _slowed(settled, event, policy, now)
        case ProbeClaimed():
            return _claimed(settled, policy, now)
        case ProbeReleased():
            return replace(settled, probe_until=0.0)


def counts(kind: FailureKind) -> bool:
    """Whether a failure of this kind moves the breaker at all (429s never do)."""
    return kind is not FailureKind.RATE_LIMITED


def is_slow(share: float, awaited: int, policy: BreakerPolicy) -> bool:
    """More than `slow_share` without a result, over a sample large enough to say so."""
    return awaited >= policy.slow_min_messages and share > policy.slow_share


def failure_reason(failure: Failure, state: BreakerState, policy: BreakerPolicy) -> str:
    """Why a failure in `state` opens the breaker, should it."""
    if failure.kind is FailureKind.AUTH:
        return f"credentials refused ({failure.detail})"
    if state is BreakerState.HALF_OPEN:
        return f"probe failed ({failure.kind}, {failure.detail})"
    return (
        f"{policy.errors_to_open} errors in {policy.window_seconds:g} s"
        f" (last: {failure.kind}, {failure.detail})"
    )


def slow_reason(share: float, awaited: int, policy: BreakerPolicy) -> str:
    """Why slow results open the breaker."""
    return (
        f"{share:.0%} of {awaited} messages without a result"
        f" {policy.slow_after_seconds:g} s after their send"
    )


def classify(error: ProviderError) -> Failure | None:
    """The breaker's view of a provider error; None for errors that say nothing of its health.

    A refused request (400, 404, 413) is about its content, not the provider.
    """
    detail = _detail(error)
    if isinstance(error, SlowDown):
        return Failure(FailureKind.RATE_LIMITED, detail)
    if isinstance(error, TransportError):
        kind = FailureKind.TIMEOUT if error.maybe_sent else FailureKind.NETWORK
        return Failure(kind, detail)
    if isinstance(error, RetryLater):
        return Failure(FailureKind.SERVER, detail)
    if isinstance(error, AuthFailed):
        return Failure(FailureKind.AUTH, detail)
    return None


def _detail(error: ProviderError) -> str:
    parts = []
    if error.status is not None:
        parts.append(f"HTTP {error.status}")
    if error.code:
        parts.append(f"code {error.code}")
    return ", ".join(parts) or error.message


def _failed(health: Health, failure: Failure, policy: BreakerPolicy, now: float) -> Health:
    if not counts(failure.kind) or health.state is BreakerState.OPEN:
        return health
    reason = failure_reason(failure, health.state, policy)
    if health.state is BreakerState.HALF_OPEN or failure.kind is FailureKind.AUTH:
        return _opened(health, reason, now)
    times = (*health.error_times, now)
    if len(times) >= policy.errors_to_open:
        return _opened(health, reason, now)
    return replace(health, error_times=times)


def _slowed(health: Health, slow: Slow, policy: BreakerPolicy, now: float) -> Health:
    if health.state is not BreakerState.CLOSED or not is_slow(slow.share, slow.awaited, policy):
        return health
    return _opened(health, slow_reason(slow.share, slow.awaited, policy), now)


def _claimed(health: Health, policy: BreakerPolicy, now: float) -> Health:
    if health.state is not BreakerState.HALF_OPEN or health.probe_in_flight:
        return health
    return replace(health, probe_until=now + policy.probe_lease_seconds)


def _opened(health: Health, reason: str, now: float) -> Health:
    return replace(
        health, state=BreakerState.OPEN, reason=reason, since=now, error_times=(), probe_until=0.0
    )


def _closed(health: Health, now: float) -> Health:
    return Health(health.provider, BreakerState.CLOSED, "", now)
