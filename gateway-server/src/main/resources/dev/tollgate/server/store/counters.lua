-- Shared by admit.lua, usage.lua and settle.lua (prepended when the scripts are loaded): a scope's counters.
-- A scope has five keys, in this order: its sliding minute (hash: i<slot> bucket number, r<slot> requests,
-- t<slot> tokens, for slots 0..12, the ring of dev.tollgate.core.quota.MinuteWindow), its leases (sorted set:
-- request id -> expiry millis), the reserved cost of each lease (hash: request id -> nano-dollars), the sum of
-- those costs, and its spend in one budget period (nano-dollars).
-- Money is written from ARGV strings with INCRBY/DECRBY, exact; Lua numbers (doubles) only compare it.
local SLOTS = 13
local MINUTE_TTL = 70000

local FIELDS = {}
for s = 0, SLOTS - 1 do
  FIELDS[#FIELDS + 1] = 'i' .. s
  FIELDS[#FIELDS + 1] = 'r' .. s
  FIELDS[#FIELDS + 1] = 't' .. s
end

-- Frees the slots and reserved cost of leases that expired by now: their replica died without settling.
local function purge(leases, costs, reserved, now)
  local expired = redis.call('ZRANGEBYSCORE', leases, '-inf', now)
  for _, id in ipairs(expired) do
    local amount = redis.call('HGET', costs, id)
    if amount then
      redis.call('DECRBY', reserved, amount)
      redis.call('HDEL', costs, id)
    end
  end
  if #expired > 0 then
    redis.call('ZREMRANGEBYSCORE', leases, '-inf', now)
  end
end

-- Reads scope i's counters (keys from base + 1) as of bucket cur; budgeted says whether to read its spend.
local function read(base, cur, now, budgeted)
  purge(KEYS[base + 2], KEYS[base + 3], KEYS[base + 4], now)
  local raw = redis.call('HMGET', KEYS[base + 1], unpack(FIELDS))
  local scope = { ids = {}, reqs = {}, toks = {}, rsum = 0, tsum = 0 }
  local floor = cur - (SLOTS - 1)
  for s = 0, SLOTS - 1 do
    local id = tonumber(raw[3 * s + 1]) or -1
    local r = tonumber(raw[3 * s + 2]) or 0
    local t = tonumber(raw[3 * s + 3]) or 0
    scope.ids[s] = id
    scope.reqs[s] = r
    scope.toks[s] = t
    -- A bucket newer than cur (a replica whose clock runs ahead) counts too: the safe side.
    if id >= floor then
      scope.rsum = scope.rsum + r
      scope.tsum = scope.tsum + t
    end
  end
  scope.concurrent = redis.call('ZCARD', KEYS[base + 2])
  scope.reserved = redis.call('GET', KEYS[base + 4]) or '0'
  scope.spent = '0'
  if budgeted then
    scope.spent = redis.call('GET', KEYS[base + 5]) or '0'
  end
  return scope
end

-- Appends scope's counters to out: 13 bucket numbers, 13 request counts, 13 token counts, concurrent, spent,
-- reserved (the last two as strings, exact).
local function emit(out, scope)
  for s = 0, SLOTS - 1 do out[#out + 1] = scope.ids[s] end
  for s = 0, SLOTS - 1 do out[#out + 1] = scope.reqs[s] end
  for s = 0, SLOTS - 1 do out[#out + 1] = scope.toks[s] end
  out[#out + 1] = scope.concurrent
  out[#out + 1] = scope.spent
  out[#out + 1] = scope.reserved
end
