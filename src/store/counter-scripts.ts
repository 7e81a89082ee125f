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
 * The value of label `name` in an encoded counter field (src/store/counters.ts: `name=value` joined with `|`,
 * `\`, `|` and `=` escaped in values by a backslash), or null. The TypeScript twin of the Lua `label` below,
 * for the memory store: both stores choose the same fields.
 */
export function fieldLabel(field: string, name: string): string | null {
  let i = 0;
  while (i < field.length) {
    const eq = field.indexOf('=', i);
    if (eq < 0) return null;
    const key = field.slice(i, eq);
    let value = '';
    let j = eq + 1;
    for (; j < field.length && field[j] !== '|'; j += 1) {
      if (field[j] === '\\') j += 1;
      value += field[j] ?? '';
    }
    if (key === name) return value;
    i = j + 1;
  }
  return null;
}

/**
 * KEYS: counters, seen, version. ARGV: now, cutoff (epoch ms), [label, value]. Deletes every field stamped
 * before the cutoff (and its stamp); a field never stamped (written before retention existed, or never live) is
 * stamped now, so its retention starts. With a label and value, only fields carrying that label value are
 * considered (one org's fields: the other orgs' are marked by their own cycles, maybe not yet after a long
 * downtime). Stamps of fields the group no longer has are dropped. Bumps the version when it deleted anything.
 * Returns the number of fields deleted.
 */
export const PRUNE_COUNTERS = new LuaScript(`
if redis.call('TYPE', KEYS[1]).ok ~= 'hash' then return 0 end
local cutoff = tonumber(ARGV[2])
local only, want = ARGV[3], ARGV[4]
local BACKSLASH = string.char(92)
local function label(field, name)
  local i, n = 1, #field
  while i <= n do
    local eq = string.find(field, '=', i, true)
    if not eq then return nil end
    local key = string.sub(field, i, eq - 1)
    local parts, j = {}, eq + 1
    while j <= n do
      local c = string.sub(field, j, j)
      if c == '|' then break end
      if c == BACKSLASH then j = j + 1; c = string.sub(field, j, j) end
      parts[#parts + 1] = c
      j = j + 1
    end
    if key == name then return table.concat(parts) end
    i = j + 1
  end
  return nil
end
local seen = {}
local flat = redis.call('HGETALL', KEYS[2])
for i = 1, #flat, 2 do seen[flat[i]] = tonumber(flat[i + 1]) end
local n = 0
for _, f in ipairs(redis.call('HKEYS', KEYS[1])) do
  local at = seen[f]
  seen[f] = nil
  if only and label(f, only) ~= want then
    -- another org's field: left as it is
  elseif not at then
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

/**
 * KEYS: counters, seen, version. Deletes a retired counter group (its values and stamps) and bumps its version, so
 * a reader caching by version sees the change. Returns 1 when the group existed.
 */
export const DROP_COUNTERS = new LuaScript(`
local existed = redis.call('EXISTS', KEYS[1])
redis.call('DEL', KEYS[1], KEYS[2])
if existed == 1 then redis.call('INCR', KEYS[3]) end
return existed
`);
