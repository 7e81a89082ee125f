import type { Logger } from '../log.js';
import type { Cursor, Endpoint, MistApi, Page } from '../mist/types.js';
import type { RegionRule } from './regions.js';

/** The size of an org as far as budget planning cares: how many rows each collection holds. */
export interface OrgSize {
  readonly sites: number;
  readonly sitegroups: number;
  readonly gateways: number;
  /** Rows ports/search returns for gateways: WAN and LAN ports (Mist cannot filter WAN server-side). */
  readonly gatewayPorts: number;
}

export interface FamilyContext {
  readonly orgId: string;
  readonly api: MistApi;
  readonly signal: AbortSignal;
  readonly log: Logger;
  readonly regions: RegionRule;
  /** Calls this cycle may make: Infinity, except for budgeted families (the plan's leftover budget). */
  readonly callBudget: number;
  /** Records of another family's current snapshot of the same org (for joins), or null when none. */
  readRecords(family: string): Promise<readonly unknown[] | null>;
}

/** A page of mapped records, ready to store. */
export interface FamilyPage<R> {
  readonly records: readonly R[];
  readonly dropped: Readonly<Record<string, number>>;
  /** Resume point after this page (null: done). */
  readonly cursor: Cursor | null;
  /**
   * Increments to persistent counter groups (group → encoded labels → delta) this page accounts for. Applied
   * exactly once, after the generation is published (and replayed from its metadata if the collector died).
   */
  readonly counters?: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/**
 * A Mist data family: what to fetch, how often, what it costs, and the pure mapping to records.
 * Adding a family: a file in families/, one line in families/index.ts.
 */
export interface Family<R = unknown> {
  /** Also the config key, the store key part and the `family` label value. */
  readonly name: string;
  readonly defaultIntervalSeconds: number;
  /** Calls one full cycle takes for an org of this size (0 for budgeted families: they take the leftover). */
  callsPerCycle(size: OrgSize): number;
  /**
   * May a staged walk be resumed after a crash? Default true. Families whose pages carry counter increments
   * say false: increments of pages staged before a crash would be lost on resume.
   */
  readonly resumable?: boolean;
  /** Spends the budget the other families leave (ctx.callBudget per cycle) instead of a fixed number of calls. */
  readonly budgeted?: boolean;
  /** Fetches and maps, page by page, from `from` (resume) or the start. */
  run(ctx: FamilyContext, from: Cursor | null): AsyncIterable<FamilyPage<R>>;
}

export const PAGE_LIMIT = 1000;

export function pagesFor(rows: number, limit = PAGE_LIMIT): number {
  return Math.max(1, Math.ceil(rows / limit));
}

/** Maps a client page through a pure function, keeping drop counts and the cursor. */
export function mapPage<T, R>(page: Page<T>, map: (t: T) => R): FamilyPage<R> {
  return { records: page.records.map(map), dropped: page.dropped, cursor: page.cursor };
}

/** Sums drop counts by reason. */
export function addDrops(into: Record<string, number>, from: Readonly<Record<string, number>>): void {
  for (const [reason, n] of Object.entries(from)) into[reason] = (into[reason] ?? 0) + n;
}

export function countDrops(d: Readonly<Record<string, number>>): number {
  return Object.values(d).reduce((s, n) => s + n, 0);
}

/**
 * The shape of a family that joins a small collection into a large one: the small one is fetched whole each
 * cycle (not resumable: a page or two), then the large one is walked page by page from `from`. Drops of the
 * small walk are reported with the first page.
 */
export async function* prefetchThenWalk<S, T, R>(
  ctx: FamilyContext,
  from: Cursor | null,
  small: Endpoint<S>,
  main: Endpoint<T>,
  map: (smallRecords: readonly S[]) => (record: T) => R,
): AsyncGenerator<FamilyPage<R>> {
  const smallRecords: S[] = [];
  const pending: Record<string, number> = {};
  for await (const page of ctx.api.pages(small, { signal: ctx.signal })) {
    smallRecords.push(...page.records);
    addDrops(pending, page.dropped);
  }
  const mapOne = map(smallRecords);
  let first = true;
  for await (const page of ctx.api.pages(main, { signal: ctx.signal, ...(from ? { from } : {}) })) {
    const dropped = first ? { ...pending } : {};
    addDrops(dropped, page.dropped);
    first = false;
    yield { records: page.records.map(mapOne), dropped, cursor: page.cursor };
  }
}
