import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * The Redis store's atomic steps. A Lua script runs alone on the server, so each one is all-or-nothing and no
 * reader ever sees its middle. Scripts are sent by SHA (EVALSHA) and only re-sent after a NOSCRIPT reply.
 * Every key a script writes is passed in KEYS; only READ_SNAPSHOT derives page keys from the generation it
 * finds, with the same `{generations}{gen}:page:{n}` layout as keys.ts.
 */
export class LuaScript {
  readonly sha: string;
  constructor(readonly lua: string) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  async run(client: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await client.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return client.eval(this.lua, keys.length, ...keys, ...args);
    }
  }
}

/**
 * KEYS: staging, page. ARGV: generation (JSON), index, payload, ttlMs, then staging field/value pairs.
 * Returns 1, or -1 when `generation` is not the staged one, -2 when index would leave a gap.
 */
export const PUT_PAGE = new LuaScript(`
if redis.call('HGET', KEYS[1], 'generation') ~= ARGV[1] then return -1 end
local staged = tonumber(redis.call('HGET', KEYS[1], 'pages'))
if not staged or tonumber(ARGV[2]) > staged then return -2 end
redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[4])
redis.call('HSET', KEYS[1], unpack(ARGV, 5))
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
`);

/**
 * KEYS: staging, current, meta, families, state, then `n` new page keys, then the previous generation's page keys.
 * ARGV: generation (JSON), new current (JSON), ttlMs, family member, n, previous current (raw, '' if none),
 * '1' to write the state (else '0'), the state (JSON text, '' when not written), then meta field/value pairs.
 * Returns 1, or -1 when `generation` is not the staged one, -2 when a page is missing.
 * The new pages' TTLs restart here, so the whole generation expires together, 3x interval after publish.
 * The previous generation's pages are deleted: reads are atomic (READ_SNAPSHOT), so nobody is half-way through them.
 * The state (no TTL) is replaced in the same step as the metadata and its counterDeltas: never one without the other.
 */
export const PUBLISH = new LuaScript(`
if redis.call('HGET', KEYS[1], 'generation') ~= ARGV[1] then return -1 end
local n = tonumber(ARGV[5])
local staged = tonumber(redis.call('HGET', KEYS[1], 'pages'))
if not staged or staged < n then return -2 end
for i = 6, 5 + n do
  if redis.call('EXISTS', KEYS[i]) == 0 then return -2 end
end
for i = 6, 5 + n do redis.call('PEXPIRE', KEYS[i], ARGV[3]) end
local previous = redis.call('GET', KEYS[2])
if previous and previous == ARGV[6] then
  for i = 6 + n, #KEYS do redis.call('DEL', KEYS[i]) end
end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
redis.call('DEL', KEYS[3])
redis.call('HSET', KEYS[3], unpack(ARGV, 9))
if ARGV[7] == '1' then redis.call('SET', KEYS[5], ARGV[8]) end
redis.call('DEL', KEYS[1])
redis.call('SADD', KEYS[4], ARGV[4])
return 1
`);

/**
 * KEYS: current. ARGV: the family's generations prefix (keys.generations).
 * Returns nil (no current generation), {current, 'corrupt'}, {current, 'missing'} (a page expired or was
 * deleted: never a partial snapshot), or {current, 'ok', page0, page1, ...}.
 */
export const READ_SNAPSHOT = new LuaScript(`
local raw = redis.call('GET', KEYS[1])
if not raw then return nil end
local ok, cur = pcall(cjson.decode, raw)
if not ok or type(cur) ~= 'table' or type(cur.generation) ~= 'string' or type(cur.pages) ~= 'number'
  or cur.pages < 0 or cur.pages > 1000000 or cur.pages ~= math.floor(cur.pages) then
  return {raw, 'corrupt'}
end
local out = {raw, 'ok'}
for i = 0, cur.pages - 1 do
  local page = redis.call('GET', ARGV[1] .. cur.generation .. ':page:' .. string.format('%d', i))
  if not page then return {raw, 'missing'} end
  out[#out + 1] = page
end
return out
`);

/** KEYS: lock. ARGV: owner, ttlMs. 1 when `owner` holds the lock afterwards (newly, or again: TTL restarted). */
export const ACQUIRE_LOCK = new LuaScript(`
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`);

/** KEYS: lock. ARGV: owner, ttlMs. 1 when extended; 0 when someone else holds it or it expired. */
export const RENEW_LOCK = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`);

/** KEYS: lock. ARGV: owner. Deletes the lock only if `owner` holds it. */
export const RELEASE_LOCK = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

/**
 * KEYS: counters, applied marker, version. ARGV: once id ('' for none), the marker's TTL in ms ('' for none), then
 * field, delta, field, delta... (deltas validated by the caller: finite, ≥ 0).
 * Adds every delta with HINCRBYFLOAT, all or nothing: unlike MULTI, which goes on past a failed command (and
 * a retried flush would then count the applied fields twice), a value that is not a number, or a key of the
 * wrong type, is healed instead of failing: the key is recreated / the field restarts at its delta (a counter
 * reset, which Prometheus handles). Returns {1 if the key had the wrong type else 0, reset field...}.
 * The version is bumped only when a value changes or a field appears: 0-deltas for fields that exist (a family
 * declaring its live series every cycle) change nothing the exporter renders.
 */
export const INCREMENT_COUNTERS = new LuaScript(`
local once = ARGV[1]
local function mark()
  if ARGV[2] ~= '' then redis.call('SET', KEYS[2], once, 'PX', ARGV[2]) else redis.call('SET', KEYS[2], once) end
end
-- A skipped replay rewrites its marker: a write of this connection, so a WAIT after it covers the replicated
-- state the skip relied on (the first application may have come through another connection).
if once ~= '' and redis.call('GET', KEYS[2]) == once then mark() return {2} end
local out = {0}
local changed = false
local t = redis.call('TYPE', KEYS[1]).ok
if t ~= 'hash' and t ~= 'none' then
  redis.call('DEL', KEYS[1])
  out[1] = 1
  changed = true
end
for i = 3, #ARGV, 2 do
  if not changed and (tonumber(ARGV[i + 1]) ~= 0 or redis.call('HEXISTS', KEYS[1], ARGV[i]) == 0) then changed = true end
  local r = redis.pcall('HINCRBYFLOAT', KEYS[1], ARGV[i], ARGV[i + 1])
  if type(r) == 'table' and r.err then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
    out[#out + 1] = ARGV[i]
  end
end
if once ~= '' then mark() end
if changed then redis.call('INCR', KEYS[3]) end
return out
`);
