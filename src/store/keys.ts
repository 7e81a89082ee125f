import type { FamilyKey } from './types.js';
import { StoreError } from './errors.js';

/**
 * The versioned key scheme (docs/store.md). Bump KEY_SCHEME_VERSION, and so the default prefix, when the layout
 * or the encoding of any value changes: a collector and an exporter of different versions then simply do not
 * see each other's data instead of misreading it.
 *
 *   {p}{org}:{family}:current               string, PX ttl   {"generation","pages","publishedAt"} (JSON)
 *   {p}{org}:{family}:gen:{gen}:page:{n}    string, PX ttl   page payload (JSON text written by the collector)
 *   {p}{org}:{family}:staging               hash,   PX ttl   the generation being fetched (resume point)
 *   {p}{org}:{family}:meta                  hash,   no TTL   freshness and last error (outlives the data)
 *   {p}{org}:{family}:state                 string, no TTL   the family's state (JSON text: cursor, seen ids, last
 *                                                            active circuits), written by publish with the generation
 *   {p}families                             set,    no TTL   "org|family" of every family with metadata
 *   {p}budgets                              set,    no TTL   fingerprints with a budget record
 *   {p}budget:{fingerprint}                 hash,   PX 2 h   per-token calls used this hour
 *   {p}lock:{name}                          string, PX ttl   the lock owner's id (leader election)
 *   {p}lock:collector:{org}                 string, PX ttl   the org's collector lock: {"owner","orgs"} of the shard holding it
 *   {p}collectors                           hash,   no TTL   collector id → its status (JSON; stale past its expiresAt)
 *   {p}counters:{name}                      hash,   no TTL   monotonic counters: field = encoded labels, value = total
 *   {p}counters:{name}:applied:{scope}      string, no TTL   last idempotency id applied for a scope (incrementCounters' once)
 *   {p}counters:{name}:version              string, no TTL   bumped by every increment that changes a value or adds a field (counterVersion)
 *   {p}counters:{name}:seen                 hash,   no TTL   field → epoch ms it was last live (touchCounters; pruneCounters drops the stale)
 *
 * Hash fields hold JSON values (a number, a string in quotes, or null), except in `counters:{name}`, whose
 * values are HINCRBYFLOAT's plain decimal numbers and whose fields are the caller's (src/store/counters.ts).
 */
export const KEY_SCHEME_VERSION = 1;
export const DEFAULT_PREFIX = `mist:v${KEY_SCHEME_VERSION}:`;

/** Budget records of tokens no longer in use disappear on their own: usage is per clock hour anyway. */
export const BUDGET_TTL_MS = 2 * 60 * 60 * 1000;

/** Org ids, family names, generation ids and lock names: no ':' or '|' so every key and set member splits one way. */
const COMPONENT = /^[A-Za-z0-9_.-]{1,128}$/;
/** A token fingerprint is lowercase hex (sha256 prefix); a raw Mist token is not, so one cannot be stored by mistake. */
const FINGERPRINT = /^[0-9a-f]{8,64}$/;
const PREFIX = /^[A-Za-z0-9_.:{}-]{0,128}$/;

export function assertComponent(what: string, value: string): void {
  if (!COMPONENT.test(value)) throw new StoreError('STORE_BAD_KEY', `${what} must match ${COMPONENT.source}`);
}

export function assertFingerprint(value: string): void {
  // The message never quotes the value: it may be the very token that must not leak.
  if (!FINGERPRINT.test(value)) throw new StoreError('STORE_BAD_KEY', `a token fingerprint must match ${FINGERPRINT.source}`);
}

/** TTLs go to PX/PEXPIRE, which take whole positive milliseconds. */
export function checkTtl(ttlMs: number): number {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new StoreError('STORE_BAD_ARGUMENT', `a TTL must be a positive number of ms, not ${ttlMs}`);
  return Math.ceil(ttlMs);
}

/** Counter fields to mark live: non-empty strings, each once. */
export function checkCounterFields(fields: readonly string[]): string[] {
  if (fields.some((f) => typeof f !== 'string' || f === '')) throw new StoreError('STORE_BAD_KEY', 'a counter field must not be empty');
  return [...new Set(fields)];
}

/** A counter retention: a positive, finite number of milliseconds. */
/** A counter field filter: its label must be a Prometheus label name (the value is any string). */
export function checkFieldFilter<F extends { readonly label: string; readonly value: string }>(only: F): F {
  if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(only.label) || typeof only.value !== 'string') throw new StoreError('STORE_BAD_ARGUMENT', 'a counter field filter needs a label name and a string value');
  return only;
}

export function checkRetention(ms: number): number {
  if (!Number.isFinite(ms) || ms <= 0) throw new StoreError('STORE_BAD_ARGUMENT', `a counter retention must be a finite number of ms > 0, not ${String(ms)}`);
  return ms;
}

/**
 * A counter increment's fields and deltas: fields are any non-empty string (the caller's label encoding), deltas
 * finite and ≥ 0 (counters only grow). Validated whole before anything is written. Messages never quote a field.
 */
export function checkCounterDeltas(deltas: Readonly<Record<string, number>>): [string, number][] {
  const entries = Object.entries(deltas);
  for (const [field, delta] of entries) {
    if (field === '') throw new StoreError('STORE_BAD_KEY', 'a counter field must not be empty');
    if (typeof delta !== 'number' || !Number.isFinite(delta) || delta < 0) {
      throw new StoreError('STORE_BAD_ARGUMENT', `a counter delta must be a finite number ≥ 0, not ${String(delta)}`);
    }
  }
  return entries;
}

export function checkIndex(index: number): number {
  if (!Number.isSafeInteger(index) || index < 0) throw new StoreError('STORE_BAD_ARGUMENT', `a page index must be a non-negative integer, not ${index}`);
  return index;
}

export interface StoreKeys {
  readonly prefix: string;
  current(k: FamilyKey): string;
  /** Everything before `{gen}:page:{n}`; the read script appends those itself (see redis-scripts.ts). */
  generations(k: FamilyKey): string;
  page(k: FamilyKey, generation: string, index: number): string;
  pages(k: FamilyKey, generation: string, count: number): string[];
  staging(k: FamilyKey): string;
  meta(k: FamilyKey): string;
  /** The family's state (string, no TTL), replaced atomically by publish. */
  state(k: FamilyKey): string;
  readonly families: string;
  familyMember(k: FamilyKey): string;
  parseFamilyMember(member: string): FamilyKey | null;
  readonly budgets: string;
  budget(fingerprint: string): string;
  lock(name: string): string;
  /** One org's collector lock (collector shards: src/store/org-locks.ts). */
  collectorLock(orgId: string): string;
  /** The collectors' status records (hash: collector id → JSON). */
  readonly collectors: string;
  counters(name: string): string;
  /** The last `once` id applied to a counter group for a scope (string, no TTL). */
  countersApplied(name: string, scope: string): string;
  countersVersion(name: string): string;
  /** When each field of a counter group was last live (hash: field → epoch ms, no TTL). */
  countersSeen(name: string): string;
}

export function storeKeys(prefix: string = DEFAULT_PREFIX): StoreKeys {
  if (!PREFIX.test(prefix)) throw new StoreError('STORE_BAD_KEY', `a key prefix must match ${PREFIX.source}`);
  const base = (k: FamilyKey): string => {
    assertComponent('orgId', k.orgId);
    assertComponent('family', k.family);
    return `${prefix}${k.orgId}:${k.family}:`;
  };
  const page = (k: FamilyKey, generation: string, index: number): string => {
    assertComponent('generation', generation);
    return `${base(k)}gen:${generation}:page:${checkIndex(index)}`;
  };
  return {
    prefix,
    current: (k) => `${base(k)}current`,
    generations: (k) => `${base(k)}gen:`,
    page,
    pages: (k, generation, count) => Array.from({ length: count }, (_, i) => page(k, generation, i)),
    staging: (k) => `${base(k)}staging`,
    meta: (k) => `${base(k)}meta`,
    state: (k) => `${base(k)}state`,
    families: `${prefix}families`,
    familyMember: (k) => {
      base(k);
      return `${k.orgId}|${k.family}`;
    },
    parseFamilyMember: (member) => {
      const [orgId, family, extra] = member.split('|');
      if (orgId === undefined || family === undefined || extra !== undefined) return null;
      return COMPONENT.test(orgId) && COMPONENT.test(family) ? { orgId, family } : null;
    },
    budgets: `${prefix}budgets`,
    budget: (fingerprint) => {
      assertFingerprint(fingerprint);
      return `${prefix}budget:${fingerprint}`;
    },
    lock: (name) => {
      assertComponent('lock name', name);
      return `${prefix}lock:${name}`;
    },
    collectorLock: (orgId) => {
      assertComponent('orgId', orgId);
      return `${prefix}lock:collector:${orgId}`;
    },
    collectors: `${prefix}collectors`,
    counters: (name) => {
      assertComponent('counter name', name);
      return `${prefix}counters:${name}`;
    },
    countersApplied: (name, scope) => {
      assertComponent('counter name', name);
      assertComponent('counter scope', scope);
      return `${prefix}counters:${name}:applied:${scope}`;
    },
    countersVersion: (name) => {
      assertComponent('counter name', name);
      return `${prefix}counters:${name}:version`;
    },
    countersSeen: (name) => {
      assertComponent('counter name', name);
      return `${prefix}counters:${name}:seen`;
    },
  };
}
