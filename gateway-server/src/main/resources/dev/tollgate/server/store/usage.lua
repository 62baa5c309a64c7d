-- A scope's live counters, for the admin API.
-- KEYS: the scope's five keys (see counters.lua). ARGV: 1 now (epoch millis), 2 current bucket, 3 "1" to read
-- the spend of the budget window in KEYS[5].
-- Returns the scope's counters (emit).
local scope = read(0, tonumber(ARGV[2]), tonumber(ARGV[1]), ARGV[3] == '1')
local out = {}
emit(out, scope)
return out
