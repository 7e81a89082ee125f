import type { z } from 'zod';
import { validateStored, type RecordsDecl } from '../families/define-records.js';
import type { Logger } from '../log.js';
import { dropRepeats, FirstOfIdentity, repeatReason } from '../metrics/identity.js';
import type { FamilyCatalogue } from '../metrics/types.js';
import type { Cursor, Endpoint, MistApi, Page } from '../mist/types.js';
import { DEFAULT_CIRCUIT_ROLES, parseCircuitRoles, type CircuitRoleRule } from './circuit-roles.js';
import type { InventorySource } from '../inventory/types.js';
import { pacer } from './pace.js';
import { DEFAULT_PROFILE, type CollectorProfile } from './profile.js';
import type { RegionRule } from './regions.js';

/**
 * The size of an org as far as budget planning cares: how many rows each collection holds, keyed by the size
 * probes the families declare (src/families/<name>/index.ts sizeProbes; read with sizeOf).
 */
export type OrgSize = Readonly<Record<string, number>>;

/** Rows a size probe counted; a probe no family declares is a programming error, not a zero. */
export function sizeOf(size: OrgSize, probe: string): number {
  const n = size[probe];
  if (n === undefined) throw new Error(`no size probe "${probe}" (declare it in a family's sizeProbes)`);
  return n;
}

/**
 * How much a family matters when the API budget is short (its tier): `availability` (is a site up, on which
 * circuit, did it flap or fail over, and the site names and regions the pages carry), `standard` (quality,
 * alarms, inventory), `full` (the deep dives). COLLECTOR_PROFILE collects the tiers up to its own; the plan
 * stretches the lowest tier first and availability last (src/collect/plan.ts).
 */
export type FamilyPriority = 'availability' | 'standard' | 'full';

export interface FamilyContext {
  readonly orgId: string;
  readonly api: MistApi;
  readonly signal: AbortSignal;
  readonly log: Logger;
  /** What families are configured with (one object, so a family's new setting does not touch the framework). */
  readonly settings: FamilySettings;
  /** Calls this cycle may make: Infinity, except for budgeted families (the plan's leftover budget). */
  readonly callBudget: number;
  /**
   * A family's current snapshot of the same org (its own previous one, or another's for a join), validated with
   * the declaration's schema; null when there is none. Repeats of a series identity are removed first, by the
   * renderer's rule (src/metrics/identity.ts: the first record wins), so a join sees what /metrics shows; they
   * and unreadable records are dropped and counted by the cycle (reasons "repeated <family> record in the
   * store …" and "unreadable <family> record in the store").
   */
  readRecords<T>(records: RecordsDecl<T>): Promise<T[] | null>;
  /**
   * This family's state as its last successful cycle published it (FamilyPage.state), parsed but unvalidated
   * (the family validates it with its schema), or null when none. No TTL: it outlives outages of any length.
   * Given a family name, that family's state of the same org instead (circuits reads the events cursor: a
   * snapshot would have expired after an outage).
   */
  readState(family?: string): Promise<unknown>;
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
  /**
   * The family's state for its next cycle (JSON-serialisable; see FamilyContext.readState). The latest page's
   * state is published with the generation, atomically with its counter increments; none: the state is kept.
   */
  readonly state?: unknown;
  /** Seconds of history this cycle could not count (beyond what Mist serves); published in the metadata. */
  readonly uncountedGapSeconds?: number;
}

/**
 * A Mist data family as the collector runs it: what to fetch, how often, what it costs, and the pure mapping to
 * records. The whole family (records, size probes, catalogue too) is a module in src/families/<name>/ (see
 * src/families/define.ts), registered by one line in src/families/registry.ts.
 */
export interface Family<R = unknown> {
  /** Also the config key, the store key part and the `family` label value. */
  readonly name: string;
  readonly defaultIntervalSeconds: number;
  /** Its tier: what the profile collects and the order the plan stretches in (see FamilyPriority). */
  readonly priority: FamilyPriority;
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

/** Families' settings, from the collector section of the config (see src/config). */
export interface FamilySettings {
  /** REGION_GROUP_PREFIX / REGION_GROUPS: which site groups are regions. */
  readonly regions: RegionRule;
  /** CIRCUIT_ROLES: how the circuits family names WAN ports' roles. */
  readonly circuitRoles: readonly CircuitRoleRule[];
  /** SLE_DEGRADED_THRESHOLD: SLE scores below it mark a (site, SLE) degraded for the sle-details family. */
  readonly sleDegradedThreshold: number;
  /** CIRCUIT_INVENTORY_FILE: the live circuit inventory (contracted bandwidth, provider, circuit id, role); null when none. */
  readonly inventory: InventorySource;
  /** COLLECTOR_PROFILE: which tiers are collected (a family reading a snapshot of one never collected expects none). */
  readonly profile: CollectorProfile;
}

export const PAGE_LIMIT = 1000;

/** SLE_DEGRADED_THRESHOLD's default. */
export const DEFAULT_SLE_DEGRADED_THRESHOLD = 0.9;

/** The settings of an unconfigured collector (tests; the config's defaults are the same). */
export function defaultFamilySettings(overrides: Partial<FamilySettings> = {}): FamilySettings {
  return {
    regions: { prefix: '', names: [] },
    circuitRoles: parseCircuitRoles(DEFAULT_CIRCUIT_ROLES).rules,
    sleDegradedThreshold: DEFAULT_SLE_DEGRADED_THRESHOLD,
    inventory: () => null,
    profile: DEFAULT_PROFILE,
    ...overrides,
  };
}

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

/** Every page of a (small) walk at once: its records, drop counts, and the window the server first announced. */
export async function walkAll<T>(ctx: FamilyContext, endpoint: Endpoint<T>): Promise<{ records: T[]; dropped: Record<string, number>; window: Page<T>['window'] }> {
  const records: T[] = [];
  const dropped: Record<string, number> = {};
  let window: Page<T>['window'];
  for await (const page of ctx.api.pages(endpoint, { signal: ctx.signal })) {
    records.push(...page.records);
    addDrops(dropped, page.dropped);
    window ??= page.window;
  }
  return { records, dropped, window };
}

/**
 * Records computed at the end of a cycle (incremental and derived families), as store pages of `limit` records:
 * drop counts go with the first page, counter increments (when any) with the last, like the state (withFinal).
 * At least one page, so an empty state is still published. Not resumable: every page's cursor is null.
 */
export function* recordPages<R>(records: readonly R[], dropped: Readonly<Record<string, number>>,
  counters?: Readonly<Record<string, Readonly<Record<string, number>>>>, limit = PAGE_LIMIT): Generator<FamilyPage<R>> {
  const pages = Math.max(1, Math.ceil(records.length / limit));
  const withCounters = counters !== undefined && Object.keys(counters).length > 0;
  for (let i = 0; i < pages; i++) {
    const last = i === pages - 1;
    yield { records: records.slice(i * limit, (i + 1) * limit), dropped: i === 0 ? dropped : {}, cursor: null, ...(last && withCounters ? { counters } : {}) };
  }
}

/** The catalogue of a family by name (the registry's, src/families/registry.ts), for its records' identity. */
export type CatalogueOf = (family: string) => Pick<FamilyCatalogue<unknown>, 'groups' | 'schema'> | undefined;

/**
 * ctx.readRecords over raw stored records by family name (the cycle's store reads; fixtures in tests): repeats
 * of a series identity removed (given the family's catalogue through `catalogueOf`; `orgId` is the org the
 * records are of), then validated with the declaration's schema; repeats and unreadable ones counted into
 * `dropped`.
 */
export function recordReader(
  raw: (family: string) => Promise<readonly unknown[] | null> | readonly unknown[] | null, dropped: Record<string, number> = {},
  identity?: { readonly catalogueOf: CatalogueOf; readonly orgId: string },
): FamilyContext['readRecords'] {
  return async <T>(decl: RecordsDecl<T>): Promise<T[] | null> => {
    const stored = await raw(decl.name);
    if (stored === null) return null;
    const catalogue = identity?.catalogueOf(decl.name);
    // In slices, giving the event loop a turn between them (src/collect/pace.ts): one first-wins over all.
    const first = new FirstOfIdentity();
    const pace = pacer();
    const out: T[] = [];
    for (let at = 0; at < stored.length; at += READ_SLICE) {
      const slice = stored.slice(at, at + READ_SLICE);
      const kept = catalogue ? dropRepeats(catalogue, identity!.orgId, slice, first).records : slice;
      for (const r of validateStored(decl, kept, dropped) ?? []) out.push(r);
      await pace();
    }
    if (first.repeats > 0) {
      const reason = repeatReason(decl.name);
      dropped[reason] = (dropped[reason] ?? 0) + first.repeats;
    }
    return out;
  };
}

/** Records validated between two chances to yield (src/collect/pace.ts) when a snapshot is read back. */
const READ_SLICE = 250;

/** The pages, the last one carrying `final` (the state to publish, the uncounted gap). */
export function* withFinal<R>(pages: Iterable<FamilyPage<R>>, final: Pick<FamilyPage<R>, 'state' | 'uncountedGapSeconds'>): Generator<FamilyPage<R>> {
  let held: FamilyPage<R> | undefined;
  for (const page of pages) {
    if (held) yield held;
    held = page;
  }
  if (held) yield { ...held, ...final };
}

/**
 * Records of a family's saved state (ctx.readState: raw JSON), validated one by one. Snapshots are read with
 * ctx.readRecords, which validates and counts on its own.
 */
export function readStored<T>(stored: readonly unknown[] | null, schema: z.ZodType<T>): { records: T[]; unreadable: number } {
  const records: T[] = [];
  let unreadable = 0;
  for (const raw of stored ?? []) {
    const parsed = schema.safeParse(raw);
    if (parsed.success) records.push(parsed.data);
    else unreadable += 1;
  }
  return { records, unreadable };
}
