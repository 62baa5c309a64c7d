-- Raises a scope's spend in one period to at least ARGV[1] (nano-dollars); a larger value, kept by other
-- replicas, stays. KEYS[1]: the spend key. ARGV[2]: its TTL in millis (0 = a lifetime budget, no TTL).
local held = redis.call('GET', KEYS[1])
if not held or tonumber(held) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1])
end
if tonumber(ARGV[2]) > 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
