-- Checks every scope of a demand, then reserves on all of them or on none: one atomic step.
-- KEYS: five per scope (see counters.lua), in the demand's check order.
-- ARGV: 1 request id, 2 now (epoch millis), 3 current bucket, 4 tokens, 5 cost (nano-dollars),
--       6 lease expiry (epoch millis), 7 lease key TTL (millis), then five per scope from 8:
--       rpm, tpm, concurrent (0 = unlimited), budget limit in nano-dollars (-1 = no budget), and the requests
--       the demand adds there (1, or 0 for a fallback attempt the scope already counted: no rpm check then).
-- Returns: refusing scope (1-based, 0 = granted), dimension (1 requests, 2 tokens, 3 concurrent, 4 budget),
--          then each scope's counters (emit): after the reservation when granted, untouched when refused.
local id = ARGV[1]
local now = tonumber(ARGV[2])
local cur = tonumber(ARGV[3])
local tokens = tonumber(ARGV[4])
local cost = tonumber(ARGV[5])
local leaseTtl = tonumber(ARGV[7])
local n = #KEYS / 5

local scopes = {}
for i = 1, n do
  local a = 8 + (i - 1) * 5
  local budget = tonumber(ARGV[a + 3])
  local scope = read((i - 1) * 5, cur, now, budget >= 0)
  scope.rpm = tonumber(ARGV[a])
  scope.tpm = tonumber(ARGV[a + 1])
  scope.limit = tonumber(ARGV[a + 2])
  scope.budget = budget
  scope.count = tonumber(ARGV[a + 4])
  scopes[i] = scope
end

local refused, dimension = 0, 0
for i = 1, n do
  local s = scopes[i]
  if s.count > 0 and s.rpm > 0 and s.rsum + s.count > s.rpm then
    dimension = 1
  elseif s.tpm > 0 and s.tsum + tokens > s.tpm then
    dimension = 2
  elseif s.limit > 0 and s.concurrent + 1 > s.limit then
    dimension = 3
  elseif s.budget >= 0 and tonumber(s.spent) + tonumber(s.reserved) + cost > s.budget then
    dimension = 4
  end
  if dimension ~= 0 then
    refused = i
    break
  end
end

if refused == 0 then
  local slot = cur % SLOTS
  for i = 1, n do
    local base = (i - 1) * 5
    local s = scopes[i]
    local minute, leases, costs, reserved = KEYS[base + 1], KEYS[base + 2], KEYS[base + 3], KEYS[base + 4]
    if s.ids[slot] < cur then
      redis.call('HSET', minute, 'i' .. slot, ARGV[3], 'r' .. slot, s.count, 't' .. slot, ARGV[4])
      s.ids[slot] = cur
      s.reqs[slot] = s.count
      s.toks[slot] = tokens
    else
      s.reqs[slot] = redis.call('HINCRBY', minute, 'r' .. slot, s.count)
      s.toks[slot] = redis.call('HINCRBY', minute, 't' .. slot, ARGV[4])
    end
    redis.call('PEXPIRE', minute, MINUTE_TTL)

    -- A request id admitted twice holds one lease: the newer replaces the older.
    local previous = redis.call('HGET', costs, id)
    if previous then
      redis.call('DECRBY', reserved, previous)
    end
    redis.call('ZADD', leases, ARGV[6], id)
    redis.call('HSET', costs, id, ARGV[5])
    redis.call('INCRBY', reserved, ARGV[5])
    s.reserved = redis.call('GET', reserved)
    s.concurrent = redis.call('ZCARD', leases)
    -- The lease keys outlive their longest lease; an abandoned scope's keys then disappear on their own.
    for _, key in ipairs({ leases, costs, reserved }) do
      if redis.call('PTTL', key) < leaseTtl then
        redis.call('PEXPIRE', key, leaseTtl)
      end
    end
  end
end

local out = { refused, dimension }
for i = 1, n do
  emit(out, scopes[i])
end
return out
