import { randomBytes } from 'node:crypto';
import type { Logger } from '../log.js';
import { isMistError } from '../mist/errors.js';
import { decodeCursor, encodeCursor } from '../mist/paginate.js';
import type { Cursor, MistApi } from '../mist/types.js';
import type { FamilyKey, Store } from '../store/types.js';
import { FAMILY_CATALOGUES } from '../families/registry.js';
import { COUNTER_RETENTION_MS, keepLiveCountersLogged } from './counter-retention.js';
import { pacer } from './pace.js';
import { openSiteFilter } from './site-filter-cycle.js';
import type { SiteFilter } from './site-filter.js';
import { addDrops, countDrops, recordReader, type CatalogueOf, type Family, type FamilyContext, type FamilySettings } from './family.js';

export interface CycleDeps {
  readonly store: Store;
  readonly api: MistApi;
  readonly log: Logger;
  readonly settings: FamilySettings;
  readonly now: () => number;
  /** How long stored counter fields outlive what they count (default COUNTER_RETENTION_MS, 7 days). */
  readonly counterRetentionMs?: number;
  /** SITE_INCLUDE/SITE_EXCLUDE (src/collect/site-filter.ts); absent or empty: every site. */
  readonly siteFilter?: SiteFilter;
}

export interface CycleResult {
  readonly ok: boolean;
  readonly generation: string | null;
  readonly pages: number;
  readonly recordsKept: number;
  readonly recordsDropped: number;
  readonly resumed: boolean;
  readonly durationMs: number;
  readonly error?: string;
  /** Stopped by our own signal (shutdown, lost leadership): not a failure, nothing recorded. */
  readonly aborted?: boolean;
}

/** Data lives for three intervals: a missed cycle or two keeps serving, a dead collector's data expires. */
export function ttlFor(intervalSeconds: number): number {
  return intervalSeconds * 3 * 1000;
}

/** The registry's catalogue of a family: its records' series identity for ctx.readRecords. */
const catalogueOf: CatalogueOf = (name) => FAMILY_CATALOGUES.find((c) => c.family === name) as ReturnType<CatalogueOf>;

/** A staged walk's cursor, or null (start over) when it is unreadable: the walk is not resumed then. */
function stagedCursor(text: string | null, log: Logger): Cursor | null {
  try {
    return decodeCursor(text);
  } catch (err) {
    log.warn({ error: describe(err) }, 'staged cursor unreadable: the walk starts over');
    return null;
  }
}

/**
 * One collection cycle of one family for one org: fetch page by page, stage each page in the store, then
 * publish the generation atomically. A staged generation younger than one interval is resumed where it
 * stopped (a collector killed mid-cycle does not re-fetch what it already has). On failure the current
 * generation stays (last good snapshot until its TTL) and the failure is recorded.
 */
export async function runCycle(
  deps: CycleDeps, family: Family, orgId: string, intervalSeconds: number, signal: AbortSignal, callBudget = Infinity,
): Promise<CycleResult> {
  const key: FamilyKey = { orgId, family: family.name };
  const started = deps.now();
  const ttl = ttlFor(intervalSeconds);
  const log = deps.log.child({ family: family.name, orgId });
  const staged = family.resumable === false ? null : await deps.store.staging(key);
  const from = staged === null ? null : stagedCursor(staged.cursor, log);
  const resumable = staged !== null && from !== null && started - staged.startedAt < intervalSeconds * 1000;
  const generation = resumable ? staged.generation : newGeneration(started);
  let index = resumable ? staged.pages : 0;
  let kept = resumable ? staged.recordsKept : 0;
  let droppedTotal = resumable ? staged.recordsDropped : 0;
  const dropped: Record<string, number> = {};
  if (!resumable) await deps.store.beginGeneration(key, generation, ttl);
  else log.info({ generation, pages: index }, 'resuming staged generation');
  // The site filter: every row, stored record, counter and state entry of the cycle passes through it.
  const sites = await openSiteFilter(deps, key, resumable, log);

  const counter = { calls: 0 };
  /**
   * Records of snapshots the family read (ctx.readRecords) that repeated a series identity or failed their
   * schema: counted with this cycle's drops.
   */
  const unreadable: Record<string, number> = {};
  const counterDeltas: Record<string, Record<string, number>> = {};
  const scope = `${orgId}.${family.name}`;
  const ctx: FamilyContext = {
    orgId, api: sites.api(countingCalls(deps.api, counter)), signal, log, settings: deps.settings, callBudget,
    readRecords: recordReader(async (name) => {
      const snap = await deps.store.readSnapshot({ orgId, family: name });
      if (!snap) return null;
      // Page by page, with a turn for the event loop between (src/collect/pace.ts).
      const pace = pacer();
      const records: unknown[] = [];
      for (const page of snap.pages) {
        for (const r of sites.stored(JSON.parse(page) as unknown[])) records.push(r);
        await pace();
      }
      return records;
    }, unreadable, { catalogueOf, orgId }),
    readState: async (name = family.name) => {
      const raw = await deps.store.readState({ orgId, family: name });
      try {
        return raw === null ? null : (JSON.parse(raw) as unknown);
      } catch {
        // Never written by us: as if there were no state (the family starts over, counting no history).
        log.warn({ state: name }, 'the family state in the store is not JSON; ignored');
        return null;
      }
    },
  };
  let state: { value: unknown } | undefined;
  let uncountedGapSeconds: number | undefined;
  try {
    await replayCounters(deps.store, key, scope);
    for await (const raw of family.run(ctx, resumable ? from : null)) {
      const page = sites.page(raw);
      for (const [group, fields] of Object.entries(page.counters ?? {})) {
        const into = (counterDeltas[group] ??= {});
        for (const [field, delta] of Object.entries(fields)) into[field] = (into[field] ?? 0) + delta;
      }
      if (page.state !== undefined) state = { value: page.state };
      if (page.uncountedGapSeconds !== undefined) uncountedGapSeconds = page.uncountedGapSeconds;
      kept += page.records.length;
      droppedTotal += countDrops(page.dropped);
      addDrops(dropped, page.dropped);
      await deps.store.putPage(key, generation, index, JSON.stringify(page.records),
        { cursor: encodeCursor(page.cursor), recordsKept: kept, recordsDropped: droppedTotal }, ttl);
      index += 1;
    }
    droppedTotal += countDrops(unreadable);
    addDrops(dropped, unreadable);
    const durationMs = deps.now() - started;
    state = sites.state(state);
    await deps.store.publish(key, generation, index, {
      lastAttempt: started, lastSuccess: deps.now(), durationMs, recordsKept: kept, recordsDropped: droppedTotal,
      pages: index, calls: counter.calls, intervalSeconds,
      counterDeltas: Object.keys(counterDeltas).length > 0 ? counterDeltas : null,
      ...(uncountedGapSeconds !== undefined ? { uncountedGapSeconds } : {}), ...sites.meta(),
    }, ttl, state === undefined ? undefined : JSON.stringify(state.value));
    await applyCounters(deps.store, counterDeltas, scope, generation);
    await keepLiveCountersLogged(deps.store, key, deps.counterRetentionMs ?? COUNTER_RETENTION_MS, log);
    if (droppedTotal > 0) log.warn({ dropped }, 'records dropped by validation');
    log.debug({ generation, pages: index, records: kept, durationMs }, 'published');
    return { ok: true, generation, pages: index, recordsKept: kept, recordsDropped: droppedTotal, resumed: resumable, durationMs };
  } catch (err) {
    const durationMs = deps.now() - started;
    const error = describe(err);
    if (signal.aborted) {
      // Our own stop is no failed collection (`mist_collector_last_success` would read 0 after every deploy);
      // the staged pages stay for the next collector to resume where the family allows.
      log.info({ pagesStaged: index, durationMs }, 'cycle aborted by shutdown or lost leadership; nothing recorded');
      return { ok: false, aborted: true, generation: null, pages: index, recordsKept: kept, recordsDropped: droppedTotal, resumed: resumable, durationMs, error };
    }
    if (isMistError(err, 'E_MIST_PAGINATION')) {
      // The staged pages were walked along a broken cursor (a loop, a runaway, a foreign `next`): resuming from
      // it would replay the loop now and publish its repeated pages once Mist is fixed. The next cycle starts over.
      await deps.store.beginGeneration(key, newGeneration(deps.now()), ttl).catch((e: unknown) => log.error({ err: e }, 'could not abandon the staged walk'));
    }
    await deps.store.recordFailure(key, started, error, durationMs).catch((e: unknown) => log.error({ err: e }, 'could not record failure'));
    log.warn({ error, pagesStaged: index, durationMs }, 'cycle failed; keeping the last good snapshot');
    return { ok: false, generation: null, pages: index, recordsKept: kept, recordsDropped: droppedTotal, resumed: resumable, durationMs, error };
  }
}

/**
 * Counter increments are published with the generation (metadata) and then applied with the generation as
 * idempotency id. A collector that died in between replays them at its next cycle; a replay of increments
 * already applied is skipped by the store. So every increment is counted exactly once.
 */
async function applyCounters(store: Store, deltas: Readonly<Record<string, Readonly<Record<string, number>>>>, scope: string, id: string): Promise<void> {
  for (const [group, fields] of Object.entries(deltas)) await store.incrementCounters(group, fields, { scope, id });
}

async function replayCounters(store: Store, key: FamilyKey, scope: string): Promise<void> {
  const meta = await store.readMeta(key);
  if (meta?.counterDeltas && meta.generation) await applyCounters(store, meta.counterDeltas, scope, meta.generation);
}

/** Counts the successful Mist calls a cycle makes (retries are counted by the client's onCall hook). */
function countingCalls(api: MistApi, counter: { calls: number }): MistApi {
  return {
    async *pages(endpoint, opts) {
      for await (const page of api.pages(endpoint, opts)) {
        counter.calls += 1;
        yield page;
      }
    },
    async getOne(endpoint, opts) {
      const one = await api.getOne(endpoint, opts);
      counter.calls += 1;
      return one;
    },
    async count(endpoint, opts) {
      const n = await api.count(endpoint, opts);
      counter.calls += 1;
      return n;
    },
  };
}

function newGeneration(now: number): string {
  return `${now.toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** A failure as "CODE: message"; messages from our layers never carry secrets. */
export function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}
