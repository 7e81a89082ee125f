import type { SentinelOptions } from './sentinel.js';

/**
 * The store between the collector (writer) and exporters (readers). Two implementations — Redis and in-memory —
 * pass the same contract tests (tests/unit/store-contract.ts run against both).
 *
 * A family's snapshot is a *generation* of pages. The collector stages pages while it fetches them (so a
 * restarted collector resumes), then publishes the generation atomically: readers see the previous or the
 * new generation, never a mix. Data keys expire after the TTL (3× the family interval); metadata does not.
 */

import type { CollectorStatus, OrgLockClaim } from './org-locks.js';

/** A family of one org, e.g. { orgId, family: 'wan-ports' }. */
export interface FamilyKey {
  readonly orgId: string;
  readonly family: string;
}

export interface FamilyMeta {
  readonly generation: string | null;
  /** Epoch ms of the last attempt's start. */
  readonly lastAttempt: number | null;
  /** Epoch ms of the last successful publish. */
  readonly lastSuccess: number | null;
  readonly durationMs: number | null;
  readonly recordsKept: number | null;
  readonly recordsDropped: number | null;
  readonly pages: number | null;
  readonly calls: number | null;
  /** Last failure message (stable code + text; never secrets) or null after a success. */
  readonly lastError: string | null;
  readonly intervalSeconds: number | null;
  /**
   * Counter deltas this generation added (group → field → delta), published with it so a collector that dies
   * between publishing and counting can replay them (incrementCounters' `once` makes the replay idempotent).
   */
  readonly counterDeltas: Readonly<Record<string, Readonly<Record<string, number>>>> | null;
  /**
   * Seconds of history the family could not count at its last successful publish (an outage longer than Mist
   * can serve back); 0 when everything was counted; null for families that do not count from history.
   */
  readonly uncountedGapSeconds: number | null;
  /**
   * Site filter (SITE_INCLUDE/SITE_EXCLUDE; src/collect/site-filter-cycle.ts): rows and records of excluded sites
   * the last successful collection left out, and (only the collection that walked the org's site list) how many
   * sites of the org the filter keeps and drops. Absent while no filter was ever configured; null once removed.
   */
  readonly recordsFiltered?: number | null;
  readonly sitesIncluded?: number | null;
  readonly sitesExcluded?: number | null;
}

/** In-progress generation, for resuming after a crash. */
export interface Staging {
  readonly generation: string;
  readonly startedAt: number;
  readonly pages: number;
  /** Serialized resume cursor after the last staged page; null when the walk had finished. */
  readonly cursor: string | null;
  readonly recordsKept: number;
  readonly recordsDropped: number;
}

export interface Snapshot {
  readonly generation: string;
  /** Page payloads (JSON text written by the collector), in order. */
  readonly pages: readonly string[];
  readonly publishedAt: number;
}

/** The counter fields carrying one label value (encoded fields: src/store/counters.ts). */
export interface CounterFieldFilter {
  readonly label: string;
  readonly value: string;
}

/**
 * Idempotency for incrementCounters: a call whose `id` equals the last id applied for its `scope` (per counter
 * group) is skipped. Scopes apply ids in order (one family of one org: its generations), so remembering the last
 * one suffices.
 */
export interface CounterOnce {
  readonly scope: string;
  readonly id: string;
  /**
   * The scope's marker expires this long after its last write (a scope that lives as long as its writer, e.g.
   * one collector process's API call counts); absent: it never expires (a family's generations are replayed
   * from its metadata at any later time). The memory store keeps markers for its own lifetime.
   */
  readonly expireMs?: number;
}

/** What a publish records in the metadata (generation and lastError are set by the store). */
export type PublishMeta = Omit<FamilyMeta, 'generation' | 'lastError' | 'counterDeltas' | 'uncountedGapSeconds'> & {
  readonly counterDeltas?: FamilyMeta['counterDeltas'];
  readonly uncountedGapSeconds?: FamilyMeta['uncountedGapSeconds'];
};

export interface Store {
  /** The staging record of an unfinished generation, if any (and not expired). */
  staging(key: FamilyKey): Promise<Staging | null>;
  /** Starts a new staged generation (replacing any previous staging). */
  beginGeneration(key: FamilyKey, generation: string, ttlMs: number): Promise<void>;
  /** Writes page `index` of a staged generation and advances the staging record, atomically. */
  putPage(key: FamilyKey, generation: string, index: number, payload: string, progress: { cursor: string | null; recordsKept: number; recordsDropped: number }, ttlMs: number): Promise<void>;
  /**
   * Makes the staged generation current (atomically) and records success in the metadata. `state` (JSON text;
   * undefined: left as it is) replaces the family's state in the same atomic step, so the published generation,
   * its counterDeltas and the state the next cycle resumes from never disagree, even after a crash.
   */
  publish(key: FamilyKey, generation: string, pages: number, meta: PublishMeta, ttlMs: number, state?: string): Promise<void>;
  /**
   * The family's state as last published (JSON text written by the collector), or null when none. No TTL: it
   * survives outages of any length (the cursor, seen ids and last active circuits that counting resumes from).
   */
  readState(key: FamilyKey): Promise<string | null>;
  /**
   * Retires a family the collector no longer collects (COLLECTOR_PROFILE made smaller): its current generation,
   * staging and metadata go, and it leaves the list of families, so exporters stop serving its series and its
   * freshness (no MistDataStale for data nobody collects). Its state and counters stay: collecting it again resumes
   * from its cursor. Pages left behind expire with their TTL.
   */
  retireFamily(key: FamilyKey): Promise<void>;
  /** Records a failed or partial attempt without touching the current generation. */
  recordFailure(key: FamilyKey, at: number, error: string, durationMs: number): Promise<void>;
  /** The current generation's pages; null when none or expired (a partial read is never returned). */
  readSnapshot(key: FamilyKey): Promise<Snapshot | null>;
  readMeta(key: FamilyKey): Promise<FamilyMeta | null>;
  /** Families with metadata, for the exporter to discover what exists. */
  listFamilies(): Promise<FamilyKey[]>;

  /** Per-token budget use, keyed by fingerprint (never the token). */
  putTokenUsage(usage: readonly { fingerprint: string; used: number; limit: number; coolingUntil: number }[], at: number): Promise<void>;
  readTokenUsage(): Promise<{ fingerprint: string; used: number; limit: number; coolingUntil: number; at: number }[]>;

  /**
   * Monotonic counters that survive collector restarts and fail-over (e.g. API calls by endpoint, flaps by
   * port): adds each delta to its field of the counter group `name`. Fields are label-encoded strings chosen
   * by the caller (see src/store/counters.ts). No TTL: counters only grow.
   */
  incrementCounters(name: string, deltas: Readonly<Record<string, number>>, once?: CounterOnce): Promise<void>;
  /** Every field of a counter group with its total ({} when none). */
  readCounters(name: string): Promise<Record<string, number>>;
  /**
   * A number that changes whenever increments are applied to the group (0 for a group never written): the
   * exporter's cheap check before reading thousands of fields.
   */
  counterVersion(name: string): Promise<number>;
  /**
   * Counter retention: marks fields of the group live now (the store's clock); fields the group does not have
   * are ignored. Does not change the version (nothing rendered changes).
   */
  touchCounters(name: string, fields: readonly string[]): Promise<void>;
  /**
   * Deletes, atomically, every field of the group (value and mark) not marked live for `retentionMs`; a field
   * never marked gets marked now (its retention starts). A field deleted and written again restarts from its
   * new delta; one marked again within the retention keeps its total. Returns how many fields were deleted.
   * With `only`, just the fields whose label `only.label` is `only.value` (one org's: another org's fields are
   * marked by its own cycles, which after a long downtime may not have run yet).
   */
  pruneCounters(name: string, retentionMs: number, only?: CounterFieldFilter): Promise<number>;
  /**
   * Deletes a retired counter group (values and marks; e.g. a group renamed by a metric change) and moves its
   * version. Returns whether it existed. Idempotent.
   */
  dropCounters(name: string): Promise<boolean>;

  /** Leader lock: true when `owner` holds it afterwards. */
  acquireLock(name: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Extends the lock if `owner` still holds it. */
  renewLock(name: string, owner: string, ttlMs: number): Promise<boolean>;
  releaseLock(name: string, owner: string): Promise<void>;

  /**
   * Collector shards (src/store/org-locks.ts): takes the lock of every org in `orgIds` for `holder` (an encoded
   * OrgLockHolder), all or none, in one atomic step; refused while another holder has any of them or a collector
   * from before sharding holds the old single lock. Says who holds what either way.
   */
  acquireOrgLocks(orgIds: readonly string[], holder: string, ttlMs: number): Promise<OrgLockClaim>;
  /** Extends every org lock of the shard, atomically; false (nothing changed) unless `holder` still holds all. */
  renewOrgLocks(orgIds: readonly string[], holder: string, ttlMs: number): Promise<boolean>;
  /** Releases the org locks `holder` holds. */
  releaseOrgLocks(orgIds: readonly string[], holder: string): Promise<void>;
  /** Records (replaces) a collector's status, which readers ignore once past its expiresAt. */
  putCollectorStatus(status: CollectorStatus): Promise<void>;
  /** Deletes a collector's status (a clean shutdown). */
  removeCollectorStatus(id: string): Promise<void>;
  /** Every collector status not yet expired (store clock), sorted by id. */
  readCollectorStatuses(): Promise<CollectorStatus[]>;

  ping(): Promise<boolean>;
  close(): Promise<void>;

  /**
   * How another thread can open this same store (the exporter's render worker reads snapshots itself), or null
   * for a store that lives in this thread's memory. It holds the connection URL, password included: never log it.
   */
  connectionOptions(): StoreConnection | null;
}

/** What opens a Redis store again elsewhere (RedisStoreOptions without the clock). */
export interface StoreConnection {
  readonly url: string;
  readonly prefix?: string | undefined;
  readonly connectTimeoutMs?: number | undefined;
  readonly maxRetriesPerRequest?: number | undefined;
  readonly commandTimeoutMs?: number | undefined;
  /** Sentinels, master name and the Sentinels' password (a secret, like the URL's). */
  readonly sentinel?: SentinelOptions | null | undefined;
  readonly waitReplicas?: number | undefined;
}
