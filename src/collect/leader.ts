import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from '../log.js';
import { decodeHolder, encodeHolder, shardOrgs, type CollectorState, type OrgLockClaim } from '../store/org-locks.js';
import type { Store } from '../store/types.js';

export interface LeaderOptions {
  readonly store: Store;
  /** The orgs this collector collects (its shard): it holds the lock of each, all or none. */
  readonly orgIds: readonly string[];
  readonly ttlMs: number;
  readonly log: Logger;
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly owner?: string;
  readonly now?: () => number;
  /** Fingerprints of the collector's tokens, for its status record (exporters spot two shards sharing a token). */
  readonly tokens?: () => readonly string[];
}

/** Where a campaign leaves the collector, and why. */
export interface Standing {
  readonly state: CollectorState;
  /** Orgs of this shard held by a collector whose shard differs (an overlap); empty unless `conflict`. */
  readonly conflicts: readonly string[];
  /** Orgs of this shard nobody holds while it cannot collect them (overlap): uncollected until it is fixed. */
  readonly uncollected: readonly string[];
  /** Owner ids holding this shard's orgs (or the old single lock). */
  readonly holders: readonly string[];
}

/**
 * Reads a refused campaign: an HA twin (every org held by one collector of the very same shard) is a plain
 * standby; an old collector holding the single lock is `legacy` (rolling upgrade); anything else is an overlap of
 * shards (`conflict`), which leaves orgs uncollected or collected by a collector configured otherwise. Pure.
 */
export function standingOf(orgIds: readonly string[], claim: OrgLockClaim): Standing {
  const mine = shardOrgs(orgIds);
  if (claim.acquired) return { state: 'active', conflicts: [], uncollected: [], holders: [] };
  if (claim.legacy !== null) return { state: 'legacy', conflicts: [], uncollected: [], holders: [claim.legacy] };
  const same = mine.join(',');
  const values = mine.map((org) => claim.holders[org] ?? null);
  const decoded = values.map((v) => (v === null ? null : decodeHolder(v)));
  const holders = [...new Set(decoded.map((h, i) => h?.owner ?? values[i]).filter((h): h is string => h !== null))].sort();
  const first = decoded[0] ?? null;
  const twin = values.every((v) => v !== null && v === values[0]) && first !== null && [...new Set(first.orgs)].sort().join(',') === same;
  if (twin) return { state: 'standby', conflicts: [], uncollected: [], holders };
  return {
    state: 'conflict',
    conflicts: mine.filter((_, i) => values[i] !== null),
    uncollected: mine.filter((_, i) => values[i] === null),
    holders,
  };
}

/**
 * Exactly one active collector per org: a collector holds the Redis lock of every org of its shard
 * (`{p}lock:collector:{org}`, taken all or none, with a TTL), renewed every ttl/3. A standby retries every ttl/2,
 * so it takes over within ~1.5 TTL of the leader's death (the locks must expire first). Disjoint shards run side
 * by side; an overlapping shard stands by and reports the conflict (log + status record) instead of collecting.
 * A leader that fails to renew stops collecting at once: two active collectors would double the API calls.
 */
export class Leader {
  readonly owner: string;
  readonly orgIds: readonly string[];
  /** The lock value: owner and shard, so other collectors can tell an HA twin from an overlap. */
  readonly holder: string;
  private last = '';

  constructor(private readonly opts: LeaderOptions) {
    this.owner = opts.owner ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    this.orgIds = shardOrgs(opts.orgIds);
    this.holder = encodeHolder({ owner: this.owner, orgs: this.orgIds });
  }

  /**
   * Campaigns until `signal` aborts; while leading, runs `lead(leadership, turn)` where `leadership` aborts when
   * the locks are lost, and `turn.takeover` says this collector stood by or led before (another one may have
   * spent the tokens' budget meanwhile). Returns when `signal` aborts (releasing the locks if held).
   */
  async run(lead: (leadership: AbortSignal, turn: { readonly takeover: boolean }) => Promise<void>, signal: AbortSignal): Promise<void> {
    const { store, ttlMs, log, sleep } = this.opts;
    let takeover = false;
    while (!signal.aborted) {
      let standing: Standing | null = null;
      try {
        standing = standingOf(this.orgIds, await store.acquireOrgLocks(this.orgIds, this.holder, ttlMs));
      } catch (err) {
        log.warn({ err }, 'lock acquisition failed (store unreachable?)');
      }
      if (standing?.state !== 'active') {
        takeover = true;
        if (standing) await this.report(standing);
        if (!(await pause(sleep, ttlMs / 2, signal))) break;
        continue;
      }
      await this.report(standing);
      log.info({ owner: this.owner, orgIds: this.orgIds }, 'became the active collector');
      const leadership = new AbortController();
      const onStop = (): void => leadership.abort();
      signal.addEventListener('abort', onStop, { once: true });
      const work = lead(leadership.signal, { takeover }).catch((err: unknown) => log.error({ err }, 'collector stopped with an error'));
      while (!leadership.signal.aborted) {
        if (!(await pause(sleep, ttlMs / 3, leadership.signal))) break;
        let renewed = false;
        try {
          renewed = await store.renewOrgLocks(this.orgIds, this.holder, ttlMs);
        } catch (err) {
          log.warn({ err }, 'lock renewal failed');
        }
        if (!renewed) {
          log.warn({ orgIds: this.orgIds }, 'lost the collector lock; standing by');
          leadership.abort();
          // Whatever of the shard is still ours goes back at once: all or none.
          await store.releaseOrgLocks(this.orgIds, this.holder).catch(() => undefined);
        } else {
          await this.report(standing);
        }
      }
      await work;
      takeover = true;
      signal.removeEventListener('abort', onStop);
    }
    await store.releaseOrgLocks(this.orgIds, this.holder).catch(() => undefined);
    await store.removeCollectorStatus(this.owner).catch(() => undefined);
  }

  /** Logs a change of standing and records the status for exporters (a failure is only logged: the lock rules). */
  private async report(standing: Standing): Promise<void> {
    const { store, ttlMs, log } = this.opts;
    const key = JSON.stringify(standing);
    if (key !== this.last) {
      this.last = key;
      const fields = { orgIds: this.orgIds, holders: standing.holders };
      if (standing.state === 'standby') log.info(fields, 'standby: another collector of the same orgs holds their locks');
      if (standing.state === 'legacy') log.warn(fields, 'standby: a collector from before per-org locks holds the single lock `lock:collector` (rolling upgrade); taking over when it stops');
      if (standing.state === 'conflict') {
        log.warn({ ...fields, conflicts: standing.conflicts, uncollected: standing.uncollected },
          'overlapping shards: another collector with a different MIST_ORG_ID set holds some of these orgs; not collecting (fix MIST_ORG_ID so that shards are equal or disjoint)');
      }
    }
    const at = (this.opts.now ?? Date.now)();
    await store.putCollectorStatus({
      id: this.owner, orgIds: [...this.orgIds], state: standing.state, conflicts: [...standing.conflicts],
      tokens: [...(this.opts.tokens?.() ?? [])], at, expiresAt: at + 2 * ttlMs,
    }).catch((err: unknown) => log.debug({ err }, 'could not record the collector status'));
  }
}

/** Sleeps; false when aborted. */
async function pause(sleep: LeaderOptions['sleep'], ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, signal);
    return !signal.aborted;
  } catch {
    return false;
  }
}
