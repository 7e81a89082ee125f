import { z } from 'zod';
import { StoreError } from './errors.js';
import { assertComponent } from './keys.js';
import { LuaScript } from './redis-scripts.js';

/**
 * Collector shards: each collector holds one lock per org it collects (`{p}lock:collector:{org}`), taken and
 * renewed all together or not at all, so collectors of disjoint org sets run side by side, an HA pair of the
 * same set has exactly one active member, and overlapping sets never both collect an org.
 *
 * Upgrade guard: collectors before sharding took the single lock `{p}lock:collector`. A sharded collector only
 * takes its org locks while that key is absent or holds SHARD_MARKER, and while active keeps it at SHARD_MARKER
 * (TTL at least its own lock TTL), so an old collector cannot take it meanwhile (its SET NX fails and the value
 * is not its owner id). An old collector holding it makes every sharded collector stand by, and vice versa.
 */
/** The single lock collectors took before sharding (`{p}lock:collector`): the upgrade guard's key. */
export const LEGACY_LOCK_NAME = 'collector';

export const SHARD_MARKER = 'sharded: per-org locks lock:collector:<org>';

/** The lock value: who holds the org's lock, and for which shard (so others can tell an HA twin from an overlap). */
export interface OrgLockHolder {
  readonly owner: string;
  readonly orgs: readonly string[];
}

/** What a campaign found: acquired, or who holds what. */
export interface OrgLockClaim {
  readonly acquired: boolean;
  /** Per org of the claim: the lock's value (an encoded OrgLockHolder) or null when free. */
  readonly holders: Readonly<Record<string, string | null>>;
  /** The old single lock's value when a collector from before sharding holds it (not SHARD_MARKER), else null. */
  readonly legacy: string | null;
}

/** The orgs of a shard, each once, sorted: one spelling per set, so equal sets encode equal lock values. */
export function shardOrgs(orgIds: readonly string[]): string[] {
  if (orgIds.length === 0) throw new StoreError('STORE_BAD_ARGUMENT', 'a collector shard needs at least one org');
  for (const org of orgIds) assertComponent('orgId', org);
  return [...new Set(orgIds)].sort();
}

export function encodeHolder(holder: OrgLockHolder): string {
  return JSON.stringify({ owner: holder.owner, orgs: shardOrgs(holder.orgs) });
}

const HolderSchema = z.object({ owner: z.string(), orgs: z.array(z.string()) });

/** A lock value as written by encodeHolder; null for anything else (a foreign or older writer). */
export function decodeHolder(value: string): OrgLockHolder | null {
  try {
    const parsed = HolderSchema.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** How a collector stands, as it reports itself in the store for exporters (`mist_collector_org_collectors`). */
export const COLLECTOR_STATES = ['active', 'standby', 'conflict', 'legacy'] as const;
export type CollectorState = (typeof COLLECTOR_STATES)[number];

export const CollectorStatusSchema = z.object({
  /** The collector's owner id (host:pid:random). */
  id: z.string().min(1).max(300),
  orgIds: z.array(z.string()),
  state: z.enum(COLLECTOR_STATES),
  /** Its orgs held by a collector of another shard (an overlap): empty unless state is conflict. */
  conflicts: z.array(z.string()),
  /** Fingerprints of the tokens it collects with (never a token). */
  tokens: z.array(z.string().regex(/^[0-9a-f]{8,64}$/)),
  at: z.number(),
  /** After this (epoch ms) the record is stale: the collector stopped reporting. */
  expiresAt: z.number(),
});
export type CollectorStatus = z.infer<typeof CollectorStatusSchema>;

/** A status record as stored; null when it does not parse (ignored by readers). */
export function decodeStatus(text: string): CollectorStatus | null {
  try {
    const parsed = CollectorStatusSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function checkStatus(status: CollectorStatus): string {
  const parsed = CollectorStatusSchema.safeParse(status);
  if (!parsed.success) throw new StoreError('STORE_BAD_ARGUMENT', 'a collector status needs an id, orgs, a state, token fingerprints and times');
  return JSON.stringify(parsed.data);
}

/**
 * KEYS: the old single lock, then one lock per org. ARGV: holder (encoded), ttlMs, SHARD_MARKER.
 * Takes every org lock (SET PX) when each is free or already ours and the old lock is absent or the marker; then
 * keeps the marker's TTL ≥ ttlMs. Returns {1|0, the old lock's value or '', each org lock's value or ''} as found.
 */
export const ACQUIRE_ORG_LOCKS = new LuaScript(`
local legacy = redis.call('GET', KEYS[1])
local free = (not legacy) or legacy == ARGV[3]
local held = {}
for i = 2, #KEYS do
  local v = redis.call('GET', KEYS[i])
  if v and v ~= ARGV[1] then free = false end
  held[#held + 1] = v or ''
end
if free then
  for i = 2, #KEYS do redis.call('SET', KEYS[i], ARGV[1], 'PX', ARGV[2]) end
  if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[2]) end
end
return {free and 1 or 0, legacy or '', unpack(held)}
`);

/**
 * KEYS as ACQUIRE_ORG_LOCKS. ARGV: holder, ttlMs, SHARD_MARKER. Extends every org lock when all are still ours and
 * no old collector holds the old lock (1); changes nothing otherwise (0: leadership lost).
 */
export const RENEW_ORG_LOCKS = new LuaScript(`
local legacy = redis.call('GET', KEYS[1])
if legacy and legacy ~= ARGV[3] then return 0 end
for i = 2, #KEYS do
  if redis.call('GET', KEYS[i]) ~= ARGV[1] then return 0 end
end
for i = 2, #KEYS do redis.call('PEXPIRE', KEYS[i], ARGV[2]) end
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[2]) end
return 1
`);

/** KEYS: org locks. ARGV: holder. Deletes those `holder` holds (the marker is left to expire: others may be active). */
export const RELEASE_ORG_LOCKS = new LuaScript(`
for i = 1, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[1] then redis.call('DEL', KEYS[i]) end
end
return 1
`);

/** Parses ACQUIRE_ORG_LOCKS' reply for `orgs` (in the order of its KEYS). */
export function claimFromReply(reply: unknown, orgs: readonly string[]): OrgLockClaim {
  if (!Array.isArray(reply) || reply.length !== orgs.length + 2) throw new StoreError('STORE_UNAVAILABLE', 'unexpected reply to the org lock script');
  const values = reply as unknown[];
  const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
  const legacy = text(values[1]);
  return {
    acquired: values[0] === 1,
    holders: Object.fromEntries(orgs.map((org, i) => [org, text(values[i + 2])])),
    legacy: legacy === SHARD_MARKER ? null : legacy,
  };
}
