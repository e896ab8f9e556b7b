"""The limiter's Lua scripts: each runs atomically on the Redis server in one round trip.

Both read the clock with `redis.call('TIME')`, so the hosts' clocks never skew a limit
(tests may pass "now" as a last argument instead, to drive the clock without sleeping);
Redis 7 replicates scripts by their effects, which makes TIME safe before writes
(https://redis.io/docs/latest/develop/interact/programmability/eval-intro/).
Times are integer microseconds; `worker.ratelimit.policy` is the same arithmetic in Python.
"""

# Reserve the next free slot for one request of `cost` messages, or say why not.
#
# KEYS  1 rate hash (rate, stepped_at, ...)   2 request TAT
#       3 message TAT                                           4 in-flight sorted set
# ARGV  1 ceiling (requests/s)   2 burst (requests)   3 messages/s at the ceiling (0: none)
#       4 message burst   5 cost (messages)   6 max wait (µs)   7 recovery step (requests/s)
#       8 recovery interval (µs)   9 max in flight (0: no cap)   10 holder id   11 lease (µs)
#       12 optional: now (µs) instead of Redis TIME, for tests that drive the clock
# Reply {status, delay µs, effective rate, server time µs, 1 if this call raised the rate}
#       status 0: reserved, sleep `delay` then send; 1: `delay` exceeds the max wait,
#       nothing reserved; 2: the in-flight cap is full, nothing reserved.
ACQUIRE = """
local BURST_WINDOW = 0.1
local now = tonumber(ARGV[12])
if now == nil then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local ceiling, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local msg_ceiling, msg_burst, cost = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local max_wait, step, interval = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local max_in_flight, holder, lease = tonumber(ARGV[9]), ARGV[10], tonumber(ARGV[11])

-- The effective rate: one recovery step per whole quiet interval, up to the ceiling.
local state = redis.call('HMGET', KEYS[1], 'rate', 'stepped_at')
local rate, stepped = tonumber(state[1]), 0
if rate == nil then
  rate = ceiling
elseif rate >= ceiling then
  if rate > ceiling then
    redis.call('HSET', KEYS[1], 'rate', ceiling, 'stepped_at', now)
    stepped = 1
  end
  rate = ceiling
else
  local since = tonumber(state[2]) or now
  local steps = math.floor((now - since) / interval)
  if steps > 0 then
    rate = math.min(ceiling, rate + steps * step)
    redis.call('HSET', KEYS[1], 'rate', rate, 'stepped_at', since + steps * interval)
    stepped = 1
  end
end

-- The concurrency cap: leases of holders that died lapse; refuse while it is full.
if max_in_flight > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now)
  if redis.call('ZCARD', KEYS[4]) >= max_in_flight then
    return {2, 0, tostring(rate), now, stepped}
  end
end

-- GCRA: the slot `cost` units after the TAT, tolerated `burst` intervals early.
local function slot(key, per_second, units, tolerance)
  local emission = 1000000 / per_second
  local tat = tonumber(redis.call('GET', key)) or now
  if tat < now then tat = now end
  local new_tat = tat + units * emission
  local delay = math.ceil(new_tat - tolerance * emission - now)
  if delay < 0 then delay = 0 end
  return delay, math.ceil(new_tat)
end

-- `burst` caps requests in any 100 ms window: GCRA lets tolerance + rate × 0.1 through in
-- one, so the tolerance is what the window leaves after the steady rate (at least 1).
local delay, request_tat = slot(KEYS[2], rate, 1, math.max(1, burst - rate * BURST_WINDOW))
local message_tat = nil
if msg_ceiling > 0 then
  local message_delay
  message_delay, message_tat = slot(KEYS[3], msg_ceiling * rate / ceiling, cost, msg_burst)
  if message_delay > delay then delay = message_delay end
end
if delay > max_wait then
  return {1, delay, tostring(rate), now, stepped}
end

-- Reserve: the TATs expire once they are in the past (an idle limit is a full bucket).
redis.call('SET', KEYS[2], request_tat, 'PX', math.ceil((request_tat - now) / 1000) + 1000)
if message_tat then
  redis.call('SET', KEYS[3], message_tat, 'PX', math.ceil((message_tat - now) / 1000) + 1000)
end
if max_in_flight > 0 then
  redis.call('ZADD', KEYS[4], now + delay + lease, holder)
  redis.call('PEXPIRE', KEYS[4], math.ceil((max_wait + lease) / 1000) + 1000)
end
return {0, delay, tostring(rate), now, stepped}
"""

# Multiply the effective rate down after a 429, unless the refused request was admitted
# before the last slow-down had taken effect, i.e. before every request reserved at the old
# rate had gone out (its old TAT): those overlapped the old rate and say nothing about the
# new one, and several in flight at once must halve the rate once, not n times (TCP, too,
# cuts its window once per round trip: RFC 5681, section 3.2).
# The provider's bucket is empty, so ours is emptied too: at the lower rate the same TAT
# would leave room for a burst, and that burst would draw the next 429 at once.
#
# KEYS  1 rate hash   2 request TAT   3 message TAT
# ARGV  1 ceiling   2 factor   3 floor (requests/s)   4 when the refused request was admitted (µs)
#       5 burst (requests)   6 messages/s at the ceiling (0: none)   7 message burst
#       8 optional: now (µs) instead of Redis TIME, for tests that drive the clock
# Reply {1 if lowered else 0, effective rate}
SLOW_DOWN = """
local now = tonumber(ARGV[8])
if now == nil then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local ceiling, factor, floor = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'rate', 'counts_after')
local rate = math.min(tonumber(state[1]) or ceiling, ceiling)
if (tonumber(state[2]) or -1) >= tonumber(ARGV[4]) then
  return {0, tostring(rate)}
end
-- The request tolerance at a rate, as ACQUIRE computes it (burst per 100 ms window).
local function tolerance(per_second)
  return math.max(1, tonumber(ARGV[5]) - per_second * 0.1)
end
-- The last request reserved at the old rate goes out at its TAT less the burst tolerance.
local old_tat = tonumber(redis.call('GET', KEYS[2])) or now
local counts_after = math.max(now, old_tat - tolerance(rate) * 1000000 / rate)
rate = math.max(floor, rate * factor)
redis.call('HSET', KEYS[1], 'rate', rate, 'stepped_at', now, 'slowed_at', now,
  'counts_after', counts_after)
redis.call('HINCRBY', KEYS[1], 'slow_downs', 1)

-- An empty bucket: the TAT a full `tolerance` ahead, so the next unit waits one interval.
local function drain(key, per_second, tolerance)
  local empty = math.ceil(now + tolerance * 1000000 / per_second)
  local tat = tonumber(redis.call('GET', key)) or now
  if tat < empty then tat = empty end
  redis.call('SET', key, tat, 'PX', math.ceil((tat - now) / 1000) + 1000)
end
drain(KEYS[2], rate, tolerance(rate))
local msg_ceiling = tonumber(ARGV[6])
if msg_ceiling > 0 then
  drain(KEYS[3], msg_ceiling * rate / ceiling, tonumber(ARGV[7]))
end
return {1, tostring(rate)}
"""
