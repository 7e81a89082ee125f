import type { Current } from './codec.js';
import { StoreError } from './errors.js';
import { fieldLabel } from './counter-scripts.js';
import { BUDGET_TTL_MS, assertComponent, checkCounterDeltas, checkCounterFields, checkFieldFilter, checkIndex, checkRetention, checkTtl, storeKeys } from './keys.js';
import type { StoreKeys } from './keys.js';
import { LEGACY_LOCK_NAME, SHARD_MARKER, checkStatus, decodeStatus, shardOrgs, type CollectorStatus, type OrgLockClaim } from './org-locks.js';
import type { CounterFieldFilter, CounterOnce, FamilyKey, FamilyMeta, PublishMeta, Snapshot, Staging, Store } from './types.js';

/**
 * The in-memory store: one process, no persistence (a single `all` process, tests, demos). Same semantics as
 * the Redis store, including TTLs, measured on the injected clock so tests can move time instead of sleeping.
 */

export interface MemoryStoreOptions {
  now?: () => number;
  prefix?: string;
}

type Budget = { used: number; limit: number; coolingUntil: number; at: number };

const EMPTY_META: FamilyMeta = {
  generation: null, lastAttempt: null, lastSuccess: null, durationMs: null, recordsKept: null,
  recordsDropped: null, pages: null, calls: null, lastError: null, intervalSeconds: null, counterDeltas: null, uncountedGapSeconds: null,
};

/** A map whose entries vanish at `expiresAt` (null: never), like Redis keys with PX. */
class TtlMap<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number | null }>();
  constructor(private readonly now: () => number) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt !== null && entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V, ttlMs: number | null): void {
    this.entries.set(key, { value, expiresAt: ttlMs === null ? null : this.now() + checkTtl(ttlMs) });
  }

  /** Milliseconds `key` has left, as Redis' PTTL: -2 when absent, -1 when it never expires. */
  pttl(key: string): number {
    if (this.get(key) === undefined) return -2;
    const expiresAt = this.entries.get(key)?.expiresAt ?? null;
    return expiresAt === null ? -1 : expiresAt - this.now();
  }

  expire(key: string, ttlMs: number): boolean {
    const value = this.get(key);
    if (value === undefined) return false;
    this.set(key, value, ttlMs);
    return true;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}

export class MemoryStore implements Store {
  readonly keys: StoreKeys;
  private readonly now: () => number;
  private readonly current = new TtlMap<Current>(() => this.now());
  private readonly pageData = new TtlMap<string>(() => this.now());
  private readonly stagings = new TtlMap<Staging>(() => this.now());
  private readonly metas = new Map<string, FamilyMeta>();
  private readonly states = new Map<string, string>();
  private readonly families = new Set<string>();
  private readonly budgets = new TtlMap<Budget>(() => this.now());
  private readonly budgetIndex = new Set<string>();
  private readonly locks = new TtlMap<string>(() => this.now());
  private readonly statuses = new Map<string, string>();
  private readonly counters = new Map<string, Map<string, number>>();
  private readonly applied = new Map<string, string>();
  private readonly counterVersions = new Map<string, number>();
  /** Per counter group: field → when it was last live (touchCounters). */
  private readonly counterSeen = new Map<string, Map<string, number>>();

  constructor(opts: MemoryStoreOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.keys = storeKeys(opts.prefix);
  }

  async staging(key: FamilyKey): Promise<Staging | null> {
    const staged = this.stagings.get(this.keys.staging(key));
    return staged ? { ...staged } : null;
  }

  async beginGeneration(key: FamilyKey, generation: string, ttlMs: number): Promise<void> {
    assertComponent('generation', generation);
    checkTtl(ttlMs);
    if (this.current.get(this.keys.current(key))?.generation === generation) {
      throw new StoreError('STORE_GENERATION_IN_USE', `generation ${generation} is the current one`);
    }
    const previous = this.stagings.get(this.keys.staging(key));
    if (previous) for (const k of this.keys.pages(key, previous.generation, previous.pages)) this.pageData.delete(k);
    const fresh: Staging = { generation, startedAt: this.now(), pages: 0, cursor: null, recordsKept: 0, recordsDropped: 0 };
    this.stagings.set(this.keys.staging(key), fresh, ttlMs);
  }

  async putPage(
    key: FamilyKey,
    generation: string,
    index: number,
    payload: string,
    progress: { cursor: string | null; recordsKept: number; recordsDropped: number },
    ttlMs: number,
  ): Promise<void> {
    const pageKey = this.keys.page(key, generation, index);
    checkTtl(ttlMs);
    const staged = this.stagings.get(this.keys.staging(key));
    if (staged?.generation !== generation) {
      throw new StoreError('STORE_NOT_STAGED', `generation ${generation} is not the staged generation of ${key.orgId}/${key.family}`);
    }
    if (index > staged.pages) throw new StoreError('STORE_INCOMPLETE', `page ${index} of generation ${generation} would leave a gap`);
    this.pageData.set(pageKey, payload, ttlMs);
    this.stagings.set(this.keys.staging(key), { ...staged, pages: index + 1, ...progress }, ttlMs);
  }

  async publish(key: FamilyKey, generation: string, pages: number, meta: PublishMeta, ttlMs: number, state?: string): Promise<void> {
    checkIndex(pages);
    checkTtl(ttlMs);
    const staged = this.stagings.get(this.keys.staging(key));
    if (staged?.generation !== generation) {
      throw new StoreError('STORE_NOT_STAGED', `generation ${generation} is not the staged generation of ${key.orgId}/${key.family}`);
    }
    const pageKeys = this.keys.pages(key, generation, pages);
    if (staged.pages < pages || pageKeys.some((k) => this.pageData.get(k) === undefined)) {
      throw new StoreError('STORE_INCOMPLETE', `generation ${generation} does not have ${pages} staged pages`);
    }
    for (const k of pageKeys) this.pageData.expire(k, ttlMs);
    const previous = this.current.get(this.keys.current(key));
    if (previous) for (const k of this.keys.pages(key, previous.generation, previous.pages)) this.pageData.delete(k);
    this.current.set(this.keys.current(key), { generation, pages, publishedAt: this.now() }, ttlMs);
    this.metas.set(this.keys.meta(key), { ...meta, counterDeltas: meta.counterDeltas ?? null, uncountedGapSeconds: meta.uncountedGapSeconds ?? null, generation, pages, lastError: null });
    if (state !== undefined) this.states.set(this.keys.state(key), state);
    this.stagings.delete(this.keys.staging(key));
    this.families.add(this.keys.familyMember(key));
  }

  async readState(key: FamilyKey): Promise<string | null> {
    return this.states.get(this.keys.state(key)) ?? null;
  }

  async retireFamily(key: FamilyKey): Promise<void> {
    const current = this.current.get(this.keys.current(key));
    if (current) for (const k of this.keys.pages(key, current.generation, current.pages)) this.pageData.delete(k);
    const staged = this.stagings.get(this.keys.staging(key));
    if (staged) for (const k of this.keys.pages(key, staged.generation, staged.pages)) this.pageData.delete(k);
    this.current.delete(this.keys.current(key));
    this.stagings.delete(this.keys.staging(key));
    this.metas.delete(this.keys.meta(key));
    this.families.delete(this.keys.familyMember(key));
  }

  async recordFailure(key: FamilyKey, at: number, error: string, durationMs: number): Promise<void> {
    const k = this.keys.meta(key);
    this.metas.set(k, { ...(this.metas.get(k) ?? EMPTY_META), lastAttempt: at, lastError: error, durationMs });
    this.families.add(this.keys.familyMember(key));
  }

  async readSnapshot(key: FamilyKey): Promise<Snapshot | null> {
    const current = this.current.get(this.keys.current(key));
    if (!current) return null;
    const pages: string[] = [];
    for (const k of this.keys.pages(key, current.generation, current.pages)) {
      const page = this.pageData.get(k);
      if (page === undefined) return null;
      pages.push(page);
    }
    return { generation: current.generation, pages, publishedAt: current.publishedAt };
  }

  async readMeta(key: FamilyKey): Promise<FamilyMeta | null> {
    const meta = this.metas.get(this.keys.meta(key));
    return meta ? { ...meta } : null;
  }

  async listFamilies(): Promise<FamilyKey[]> {
    return [...this.families]
      .sort()
      .map((m) => this.keys.parseFamilyMember(m))
      .filter((k): k is FamilyKey => k !== null);
  }

  async putTokenUsage(usage: readonly { fingerprint: string; used: number; limit: number; coolingUntil: number }[], at: number): Promise<void> {
    const keys = usage.map((u) => this.keys.budget(u.fingerprint)); // validates every fingerprint before writing any
    usage.forEach((u, i) => {
      this.budgets.set(keys[i] ?? '', { used: u.used, limit: u.limit, coolingUntil: u.coolingUntil, at }, BUDGET_TTL_MS);
      this.budgetIndex.add(u.fingerprint);
    });
  }

  async readTokenUsage(): Promise<{ fingerprint: string; used: number; limit: number; coolingUntil: number; at: number }[]> {
    const out = [];
    for (const fingerprint of [...this.budgetIndex].sort()) {
      const budget = this.budgets.get(this.keys.budget(fingerprint));
      if (budget) out.push({ fingerprint, ...budget });
      else this.budgetIndex.delete(fingerprint);
    }
    return out;
  }

  async incrementCounters(name: string, deltas: Readonly<Record<string, number>>, once?: CounterOnce): Promise<void> {
    const k = this.keys.counters(name);
    const entries = checkCounterDeltas(deltas);
    if (entries.length === 0) return;
    if (once) {
      const marker = this.keys.countersApplied(name, once.scope);
      if (this.applied.get(marker) === once.id) return;
      this.applied.set(marker, once.id);
    }
    const group = this.counters.get(k) ?? new Map<string, number>();
    // As the Redis script: only a changed value or a new field moves the version (0-deltas of known fields do not).
    const changed = entries.some(([field, delta]) => delta !== 0 || !group.has(field));
    for (const [field, delta] of entries) group.set(field, (group.get(field) ?? 0) + delta);
    this.counters.set(k, group);
    if (changed) this.counterVersions.set(k, (this.counterVersions.get(k) ?? 0) + 1);
  }

  async touchCounters(name: string, fields: readonly string[]): Promise<void> {
    const k = this.keys.counters(name);
    const group = this.counters.get(k);
    const seen = this.counterSeen.get(k) ?? new Map<string, number>();
    for (const field of checkCounterFields(fields)) if (group?.has(field)) seen.set(field, this.now());
    this.counterSeen.set(k, seen);
  }

  async pruneCounters(name: string, retentionMs: number, only?: CounterFieldFilter): Promise<number> {
    const k = this.keys.counters(name);
    const cutoff = this.now() - checkRetention(retentionMs);
    if (only) checkFieldFilter(only);
    const group = this.counters.get(k) ?? new Map<string, number>();
    const seen = this.counterSeen.get(k) ?? new Map<string, number>();
    let pruned = 0;
    for (const field of group.keys()) {
      const at = seen.get(field);
      if (only && fieldLabel(field, only.label) !== only.value) continue;
      if (at === undefined) {
        seen.set(field, this.now());
      } else if (at < cutoff) {
        group.delete(field);
        seen.delete(field);
        pruned += 1;
      }
    }
    for (const field of seen.keys()) if (!group.has(field)) seen.delete(field);
    this.counterSeen.set(k, seen);
    if (pruned > 0) this.counterVersions.set(k, (this.counterVersions.get(k) ?? 0) + 1);
    return pruned;
  }

  async dropCounters(name: string): Promise<boolean> {
    const k = this.keys.counters(name);
    const existed = this.counters.has(k);
    this.counters.delete(k);
    this.counterSeen.delete(k);
    if (existed) this.counterVersions.set(k, (this.counterVersions.get(k) ?? 0) + 1);
    return existed;
  }

  async counterVersion(name: string): Promise<number> {
    return this.counterVersions.get(this.keys.counters(name)) ?? 0;
  }

  async readCounters(name: string): Promise<Record<string, number>> {
    return Object.fromEntries(this.counters.get(this.keys.counters(name)) ?? []);
  }

  async acquireLock(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const k = this.keys.lock(name);
    const holder = this.locks.get(k);
    if (holder !== undefined && holder !== owner) return false;
    this.locks.set(k, owner, ttlMs);
    return true;
  }

  async renewLock(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const k = this.keys.lock(name);
    if (this.locks.get(k) !== owner) return false;
    this.locks.set(k, owner, ttlMs);
    return true;
  }

  async releaseLock(name: string, owner: string): Promise<void> {
    const k = this.keys.lock(name);
    if (this.locks.get(k) === owner) this.locks.delete(k);
  }

  async acquireOrgLocks(orgIds: readonly string[], holder: string, ttlMs: number): Promise<OrgLockClaim> {
    const orgs = shardOrgs(orgIds);
    checkTtl(ttlMs);
    const legacyKey = this.keys.lock(LEGACY_LOCK_NAME);
    const legacy = this.locks.get(legacyKey) ?? null;
    const holders = Object.fromEntries(orgs.map((org) => [org, this.locks.get(this.keys.collectorLock(org)) ?? null]));
    const acquired = (legacy === null || legacy === SHARD_MARKER) && Object.values(holders).every((h) => h === null || h === holder);
    if (acquired) {
      for (const org of orgs) this.locks.set(this.keys.collectorLock(org), holder, ttlMs);
      this.keepMarker(ttlMs);
    }
    return { acquired, holders, legacy: legacy === SHARD_MARKER ? null : legacy };
  }

  async renewOrgLocks(orgIds: readonly string[], holder: string, ttlMs: number): Promise<boolean> {
    const orgs = shardOrgs(orgIds);
    checkTtl(ttlMs);
    const legacy = this.locks.get(this.keys.lock(LEGACY_LOCK_NAME));
    if (legacy !== undefined && legacy !== SHARD_MARKER) return false;
    if (orgs.some((org) => this.locks.get(this.keys.collectorLock(org)) !== holder)) return false;
    for (const org of orgs) this.locks.set(this.keys.collectorLock(org), holder, ttlMs);
    this.keepMarker(ttlMs);
    return true;
  }

  async releaseOrgLocks(orgIds: readonly string[], holder: string): Promise<void> {
    for (const org of shardOrgs(orgIds)) {
      const k = this.keys.collectorLock(org);
      if (this.locks.get(k) === holder) this.locks.delete(k);
    }
  }

  /** The old single lock holds the marker for at least `ttlMs` more (as the Redis scripts' PTTL check). */
  private keepMarker(ttlMs: number): void {
    const k = this.keys.lock(LEGACY_LOCK_NAME);
    if (this.locks.pttl(k) < ttlMs) this.locks.set(k, SHARD_MARKER, ttlMs);
  }

  async putCollectorStatus(status: CollectorStatus): Promise<void> {
    this.statuses.set(status.id, checkStatus(status));
  }

  async removeCollectorStatus(id: string): Promise<void> {
    this.statuses.delete(id);
  }

  async readCollectorStatuses(): Promise<CollectorStatus[]> {
    const now = this.now();
    const out: CollectorStatus[] = [];
    for (const [id, text] of [...this.statuses].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const status = decodeStatus(text);
      if (status === null || status.expiresAt <= now) this.statuses.delete(id);
      else out.push(status);
    }
    return out;
  }

  async ping(): Promise<boolean> {
    return true;
  }

  connectionOptions(): null {
    return null;
  }

  async close(): Promise<void> {}
}
