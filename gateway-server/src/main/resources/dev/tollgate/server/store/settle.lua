-- Replaces a request's reservation with what it used, on every scope it was admitted on.
-- KEYS: five per scope (see counters.lua); the fifth is the spend of the period containing the settlement.
-- ARGV: 1 request id, 2 current bucket, 3 the bucket the tokens were reserved in, 4 actual - estimated tokens,
--       5 cost (nano-dollars), then one per scope from 6: the spend key's TTL in millis (-1 = no budget,
--       0 = a lifetime budget, no TTL).
-- Returns each scope's spend after the charge (-1 without a budget).
-- SLOTS and MINUTE_TTL come from counters.lua, prepended when the script is loaded.
local id = ARGV[1]
local cur = tonumber(ARGV[2])
local bucket = tonumber(ARGV[3])
local delta = tonumber(ARGV[4])
local n = #KEYS / 5
local out = {}
for i = 1, n do
  local base = (i - 1) * 5
  local minute, leases, costs, reserved, spend = KEYS[base + 1], KEYS[base + 2], KEYS[base + 3], KEYS[base + 4],
      KEYS[base + 5]
  -- Gone when the lease expired first: then nothing is released twice.
  local amount = redis.call('HGET', costs, id)
  if amount then
    redis.call('DECRBY', reserved, amount)
    redis.call('HDEL', costs, id)
    redis.call('ZREM', leases, id)
  end

  if delta < 0 and amount then
    -- A shortfall goes back to the bucket it was reserved in, while that bucket is still counted. Only while the
    -- lease is there: that proves the admission ran (a release after a lost answer may find it never did).
    local slot = bucket % SLOTS
    if bucket >= cur - (SLOTS - 1) and tonumber(redis.call('HGET', minute, 'i' .. slot)) == bucket then
      local held = tonumber(redis.call('HGET', minute, 't' .. slot)) or 0
      redis.call('HSET', minute, 't' .. slot, math.max(0, held + delta))
    end
  elseif delta > 0 then
    -- An excess is counted now.
    local slot = cur % SLOTS
    local current = tonumber(redis.call('HGET', minute, 'i' .. slot)) or -1
    if current < cur then
      redis.call('HSET', minute, 'i' .. slot, ARGV[2], 'r' .. slot, 0, 't' .. slot, ARGV[4])
    else
      redis.call('HINCRBY', minute, 't' .. slot, ARGV[4])
    end
    redis.call('PEXPIRE', minute, MINUTE_TTL)
  end

  local ttl = tonumber(ARGV[5 + i])
  if ttl < 0 then
    out[i] = -1
  else
    out[i] = redis.call('INCRBY', spend, ARGV[5])
    if ttl > 0 then
      redis.call('PEXPIRE', spend, ttl)
    end
  end
end
return out
