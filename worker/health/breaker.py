"""The breaker in Redis: one hash and one error window per provider, changed only by Lua.

Every change is one script, atomic on the server, so every worker process sees one breaker
and exactly one of them makes (and logs) each transition. The scripts apply the rules of
`worker.health.rules`; times come from the caller's clock (injectable for tests), so the
workers' clocks should agree to well within `open_seconds` (NTP does).
"""

import logging
import math
import time
import uuid
from collections.abc import Callable, Iterable

import redis

from worker.health.rules import (
    BreakerPolicy,
    BreakerState,
    Failure,
    FailureKind,
    Health,
    classify,
    counts,
    failure_reason,
    is_slow,
    settle,
    slow_reason,
)
from worker.providers.errors import ProviderError

log = logging.getLogger("worker.health")

PREFIX = "bulksms:breaker"

# Read the hash and apply what time alone changes (rules.settle); every script starts so.
#
# KEYS  1 state hash (state, reason, since, probe_until)   2 error window (sorted set)
# ARGV  1 now (s)   2 open seconds
# The stored state stays in `stored`; `state`, `since` and `probe_until` are as of now.
_SETTLE = """
local now, open_seconds = tonumber(ARGV[1]), tonumber(ARGV[2])
local h = redis.call('HMGET', KEYS[1], 'state', 'since', 'probe_until')
local stored = h[1] or 'closed'
local state, since, probe_until = stored, tonumber(h[2]) or 0, tonumber(h[3]) or 0
if state == 'open' and now >= since + open_seconds then
  state, since, probe_until = 'half_open', since + open_seconds, 0
end
if probe_until <= now then probe_until = 0 end

-- A transition: the new state from now on, with no probe and an empty error window.
local function become(new_state, reason)
  redis.call('HSET', KEYS[1], 'state', new_state, 'reason', reason, 'since', ARGV[1],
    'probe_until', 0)
  redis.call('DEL', KEYS[2])
  return new_state
end
"""

# May a call go? Closed: yes. Half-open with no probe in flight: yes, and the caller holds
# the probe until it reports, releases it, or its lease lapses. Otherwise no.
#
# ARGV  3 the probe's lease expiry (s)
# Reply {1 if allowed else 0, change}: change "half_open" when this call ended the
#       cool-down, "lapsed" when it took over a probe whose lease had lapsed, else "".
ALLOW = (
    _SETTLE
    + """
if state == 'closed' then return {1, ''} end
if state == 'open' or probe_until > 0 then return {0, ''} end
local change = ''
if stored == 'open' then
  change = 'half_open'
elseif (tonumber(h[3]) or 0) > 0 then
  change = 'lapsed'
end
redis.call('HSET', KEYS[1], 'state', 'half_open', 'since', since, 'probe_until', ARGV[3])
return {1, change}
"""
)

# A counted failure. Half-open: open again. Closed: open at once when ARGV 4 is 0 (a 401),
# else add it to the window and open once the window holds `errors_to_open`. Open: nothing.
#
# ARGV  3 window start (s; errors at or before it have left)   4 errors to open (0: at once)
#       5 this error's member id   6 reason if it opens while closed
#       7 reason if it opens while half-open   8 the window's expiry (ms)
# Reply {change, reason}: change "open" (with the reason it stored) or "".
FAILURE = (
    _SETTLE
    + """
if state == 'open' then return {'', ''} end
if state == 'half_open' then return {become('open', ARGV[7]), ARGV[7]} end
if ARGV[4] == '0' then return {become('open', ARGV[6]), ARGV[6]} end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[1], ARGV[5])
local errors = redis.call('ZCARD', KEYS[2])
if errors >= tonumber(ARGV[4]) then return {become('open', ARGV[6]), ARGV[6]} end
-- Once the newest error has left the window, so has every other: nothing to keep.
redis.call('PEXPIRE', KEYS[2], ARGV[8])
return {'', ''}
"""
)

# A success: closes a half-open breaker; otherwise reads one hash and writes nothing.
#
# Reply change: "closed" or "".
SUCCESS = (
    _SETTLE
    + """
if state ~= 'half_open' then return '' end
return become('closed', '')
"""
)

# Open a closed breaker (slow results, judged by the caller); otherwise nothing.
#
# ARGV  3 reason
# Reply change: "open" or "".
OPEN = (
    _SETTLE
    + """
if state ~= 'closed' then return '' end
return become('open', ARGV[3])
"""
)

# The probe's holder sent nothing after all: free the probe for another caller.
RELEASE = (
    _SETTLE
    + """
if stored == 'half_open' then redis.call('HSET', KEYS[1], 'probe_until', 0) end
return ''
"""
)


def state_key(provider: str) -> str:
    """Hash: state, reason, since (s), probe_until (s, 0: no probe). The provider is a hash
    tag ({sens}) so both keys share a Redis Cluster slot."""
    return f"{PREFIX}:{{{provider}}}"


def errors_key(provider: str) -> str:
    """Sorted set: one member per counted error in the window, scored by its time (s)."""
    return f"{PREFIX}:{{{provider}}}:errors"


class Breaker:
    """One provider's breaker as every worker process shares it."""

    def __init__(
        self,
        client: redis.Redis,
        provider: str,
        policy: BreakerPolicy,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client = client
        self.provider = provider
        self.policy = policy
        self.clock = clock
        self.keys = [state_key(provider), errors_key(provider)]
        # register_script sends EVALSHA and loads the script only when Redis lacks it.
        self._allow = client.register_script(ALLOW)
        self._failure = client.register_script(FAILURE)
        self._success = client.register_script(SUCCESS)
        self._open = client.register_script(OPEN)
        self._release = client.register_script(RELEASE)

    def allow(self) -> bool:
        """Whether to call the provider now; in half-open, True takes the one probe."""
        now = self.clock()
        lease_until = now + self.policy.probe_lease_seconds
        allowed, change = self._allow(keys=self.keys, args=self._args(now, lease_until))
        if change == b"half_open":
            log.info("breaker %s half-open: probing", self.provider)
        elif change == b"lapsed":
            log.warning(
                "breaker %s half-open: the last probe's lease lapsed, probing again", self.provider
            )
        return bool(allowed)

    def release_probe(self) -> None:
        """Call after allow() said True in half-open but nothing was sent (a rate-limit wait)."""
        self._release(keys=self.keys, args=self._args(self.clock()))

    def record_success(self) -> None:
        """A call succeeded: closes a half-open breaker; while closed, one read, no write."""
        change = self._success(keys=self.keys, args=self._args(self.clock()))
        if change == b"closed":
            log.info("breaker %s closed", self.provider)

    def record_failure(self, kind: str, detail: str) -> None:
        """A call failed: kind is server, timeout, network or auth (rate_limited is ignored)."""
        failure = Failure(FailureKind(kind), detail)
        if not counts(failure.kind):
            return  # 429s only slow the rate limiter
        now = self.clock()
        at_once = failure.kind is FailureKind.AUTH
        args = self._args(
            now,
            now - self.policy.window_seconds,
            0 if at_once else self.policy.errors_to_open,
            uuid.uuid4().hex,
            failure_reason(failure, BreakerState.CLOSED, self.policy),
            failure_reason(failure, BreakerState.HALF_OPEN, self.policy),
            math.ceil(self.policy.window_seconds * 1000),
        )
        change, reason = self._failure(keys=self.keys, args=args)
        if change == b"open":
            self._log_opened(reason.decode())

    def record_error(self, error: ProviderError) -> None:
        """record_failure for a provider error, as `rules.classify` sees it."""
        failure = classify(error)
        if failure is not None:
            self.record_failure(failure.kind, failure.detail)

    def record_slow(self, share: float, awaited: int) -> None:
        """Of `awaited` messages sent slow_after_seconds ago or earlier, `share` lack a result."""
        if not is_slow(share, awaited, self.policy):
            return
        reason = slow_reason(share, awaited, self.policy)
        if self._open(keys=self.keys, args=self._args(self.clock(), reason)) == b"open":
            self._log_opened(reason)

    def health(self) -> Health:
        """The breaker as of now, read in one transaction, writing nothing."""
        return read_health(self.client, self.provider, self.policy, self.clock())

    def _args(self, now: float, *rest: object) -> list[object]:
        return [now, self.policy.open_seconds, *rest]

    def _log_opened(self, reason: str) -> None:
        log.warning("breaker %s opened: %s", self.provider, reason)


def read_health(client: redis.Redis, provider: str, policy: BreakerPolicy, now: float) -> Health:
    """One provider's Health as of `now`: the stored state with `rules.settle` applied."""
    with client.pipeline(transaction=True) as pipe:
        pipe.hmget(state_key(provider), "state", "reason", "since", "probe_until")
        # "(": exclusive, so an error exactly window_seconds old has left (as the scripts).
        start = f"({now - policy.window_seconds!r}"
        pipe.zrangebyscore(errors_key(provider), start, "+inf", withscores=True)
        (state, reason, since, probe_until), errors = pipe.execute()
    stored = Health(
        provider,
        BreakerState(state.decode()) if state else BreakerState.CLOSED,
        reason.decode() if reason else "",
        float(since or 0),
        tuple(score for _, score in errors),
        float(probe_until or 0),
    )
    return settle(stored, policy, now)


def all_health(
    client: redis.Redis,
    providers: Iterable[str],
    policy: BreakerPolicy,
    clock: Callable[[], float] = time.time,
) -> list[Health]:
    """Every provider's breaker, for a status view."""
    now = clock()
    return [read_health(client, provider, policy, now) for provider in providers]
