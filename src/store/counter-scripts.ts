import { LuaScript } from './redis-scripts.js';

/**
 * The Redis scripts of counter retention (Store.touchCounters / pruneCounters), apart from the snapshot scripts.
 * A counter group's `seen` hash holds, per field, when the collector last found the field's thing live (epoch
 * ms); fields gone longer than the retention are deleted, value and stamp together, in one script.
 */

/** KEYS: counters, seen. ARGV: now, field... Stamps the fields that exist in the group (seen ⊆ counters). */
export const TOUCH_COUNTERS = new LuaScript(`
if redis.call('TYPE', KEYS[1]).ok ~= 'hash' then return 0 end
local n = 0
for i = 2, #ARGV do
  if redis.call('HEXISTS', KEYS[1], ARGV[i]) == 1 then
    redis.call('HSET', KEYS[2], ARGV[i], ARGV[1])
    n = n + 1
  end
end
return n
`);

/**
 * KEYS: counters, seen, version. ARGV: now, cutoff (epoch ms). Deletes every field stamped before the cutoff
 * (and its stamp); a field never stamped (written before retention existed, or never live) is stamped now, so
 * its retention starts. Stamps of fields the group no longer has are dropped. Bumps the version when it deleted
 * anything. Returns the number of fields deleted.
 */
export const PRUNE_COUNTERS = new LuaScript(`
if redis.call('TYPE', KEYS[1]).ok ~= 'hash' then return 0 end
local cutoff = tonumber(ARGV[2])
local seen = {}
local flat = redis.call('HGETALL', KEYS[2])
for i = 1, #flat, 2 do seen[flat[i]] = tonumber(flat[i + 1]) end
local n = 0
for _, f in ipairs(redis.call('HKEYS', KEYS[1])) do
  local at = seen[f]
  seen[f] = nil
  if not at then
    redis.call('HSET', KEYS[2], f, ARGV[1])
  elseif at < cutoff then
    redis.call('HDEL', KEYS[1], f)
    redis.call('HDEL', KEYS[2], f)
    n = n + 1
  end
end
for f in pairs(seen) do redis.call('HDEL', KEYS[2], f) end
if n > 0 then redis.call('INCR', KEYS[3]) end
return n
`);
