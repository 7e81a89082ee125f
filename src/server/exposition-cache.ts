import type { Logger } from '../log.js';
import { FAMILY_CATALOGUES } from '../families/registry.js';
import type { Chunk } from '../metrics/gzip.js';
import type { FamilyKey, FamilyMeta, Store } from '../store/types.js';
import type { CollectorStatus } from '../store/org-locks.js';
import { RenderError, WorkerRenderer, type FamilyRenderer } from './renderer.js';

export interface FamilyView {
  readonly family: string;
  readonly chunk: Chunk;
  readonly series: number;
  readonly invalid: number;
  /** Records that repeated an earlier record's series (overlapping pages, a resumed walk): rendered once. */
  readonly duplicates: number;
  readonly renderSeconds: number;
  /** `${org}:${generation}` of every org rendered, sorted: what this chunk was made from. */
  readonly source: string;
  /** Fingerprint of the family's counter groups when rendered ('' without counters). */
  readonly counterDigest?: string;
}

export interface MetaView {
  readonly key: FamilyKey;
  readonly meta: FamilyMeta;
  /** Epoch ms after which the family's data has expired (3 intervals after the last success). */
  readonly expiresAt: number | null;
}

export interface StoreState {
  readonly up: boolean;
  readonly lastRefresh: number | null;
  readonly metas: readonly MetaView[];
  readonly usage: readonly { fingerprint: string; used: number; limit: number; coolingUntil: number; at: number }[];
  readonly counters: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** The collectors' live status records (shards: which collector holds which orgs); absent before the first read. */
  readonly collectors?: readonly CollectorStatus[];
}

/**
 * What the exporter serves: one rendered, pre-compressed chunk per family, re-rendered only when a family's
 * generation changes (not per scrape), and dropped when its data expires or disappears from the store. The
 * refresh loop is the only reader of the store; scrapes only read this cache.
 */
export class ExpositionCache {
  private readonly chunks = new Map<string, FamilyView>();
  private closed = false;
  private running: Promise<void> | null = null;
  private state: StoreState = { up: false, lastRefresh: null, metas: [], usage: [], counters: {} };

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly now: () => number = () => Date.now(),
    private readonly counterGroups: readonly string[] = [],
    private readonly renderer: FamilyRenderer = new WorkerRenderer(store),
  ) {}

  /** Families in exposition order that currently have data. */
  families(): FamilyView[] {
    return FAMILY_CATALOGUES.map((c) => this.chunks.get(c.family)).filter((v): v is FamilyView => v !== undefined);
  }

  storeState(): StoreState {
    return this.state;
  }

  /**
   * One pass: read metadata, re-render changed families, drop expired ones. Never throws, and ends within a
   * bound: every store call has its timeout and every render its deadline, and the first that fails ends the
   * pass. A call while a pass runs joins it (passes never overlap).
   */
  refresh(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.running ??= this.guardedPass().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async guardedPass(): Promise<void> {
    try {
      await this.pass();
    } finally {
      // The worker's heap goes back to V8 between passes (V8 keeps its pages for the next worker).
      await this.renderer.release();
    }
  }

  private async pass(): Promise<void> {
    let metas: MetaView[];
    let usage: StoreState['usage'];
    let collectors: CollectorStatus[];
    const counters: Record<string, Record<string, number>> = {};
    try {
      const keys = await this.store.listFamilies();
      const read = await Promise.all(keys.map(async (key) => ({ key, meta: await this.store.readMeta(key) })));
      metas = read.filter((m): m is { key: FamilyKey; meta: FamilyMeta } => m.meta !== null).map(({ key, meta }) => ({
        key, meta,
        expiresAt: meta.lastSuccess !== null && meta.intervalSeconds !== null ? meta.lastSuccess + 3 * meta.intervalSeconds * 1000 : null,
      }));
      usage = await this.store.readTokenUsage();
      collectors = await this.store.readCollectorStatuses();
      for (const group of this.counterGroups) counters[group] = await this.store.readCounters(group);
    } catch (err) {
      this.storeDown(err);
      return;
    }
    const now = this.now();
    for (const catalogue of FAMILY_CATALOGUES) {
      if (this.closed) return;
      const live = metas.filter((m) => m.key.family === catalogue.family && m.meta.generation !== null && (m.expiresAt === null || m.expiresAt > now));
      const source = live.map((m) => `${m.key.orgId}:${m.meta.generation}`).sort().join(',');
      const current = this.chunks.get(catalogue.family);
      if (live.length === 0) {
        if (current) this.log.info({ family: catalogue.family }, 'family data expired or gone; its series are no longer served');
        this.chunks.delete(catalogue.family);
        continue;
      }
      // Counters are applied just after their generation is published: re-render when they move, too.
      let counterDigest: string;
      try {
        counterDigest = await this.counterDigest(catalogue.counters ?? []);
      } catch (err) {
        // A store that fails (or times out) mid-pass is down: the pass ends here rather than wait on every family.
        this.storeDown(err, catalogue.family);
        return;
      }
      if (current?.source === source && current.counterDigest === counterDigest) continue;
      try {
        const view = await this.render(catalogue.family, live);
        if (view) this.chunks.set(catalogue.family, { ...view, counterDigest });
        else this.chunks.delete(catalogue.family);
      } catch (err) {
        // A render cut short by close() is no failure; one past its deadline or whose read failed is a failed read.
        if (this.closed) return;
        if (err instanceof RenderError && err.code !== 'RENDER_FAILED') {
          this.storeDown(err, catalogue.family);
          return;
        }
        this.log.error({ err, family: catalogue.family }, 'render failed; keeping the previous rendering');
      }
    }
    this.state = { up: true, lastRefresh: now, metas, usage, counters, collectors };
  }

  /** Stops the renderer (its worker thread). */
  async close(): Promise<void> {
    this.closed = true;
    await this.renderer.close();
  }

  /** A cheap fingerprint of a family's counter groups (their versions), to notice increments without reading them. */
  private async counterDigest(defs: readonly { group: string }[]): Promise<string> {
    const parts: string[] = [];
    for (const group of new Set(defs.map((d) => d.group))) parts.push(`${group}:${await this.store.counterVersion(group)}`);
    return parts.join(',');
  }

  /** A failed or timed-out read: the store is down (`mist_store_up` 0, /ready 503); rendered data is kept until it expires. */
  private storeDown(err: unknown, family?: string): void {
    this.log.warn({ err, ...(family ? { family } : {}) }, 'store read failed; serving the last rendered data until it expires');
    this.state = { ...this.state, up: false };
    this.dropExpired(this.now());
  }

  /** With the store unreachable, rendered data still expires, by the metadata last read (of the orgs it holds). */
  private dropExpired(now: number): void {
    for (const view of this.families()) {
      const rendered = new Set(view.source.split(','));
      const expired = this.state.metas.some((m) => m.key.family === view.family && rendered.has(`${m.key.orgId}:${m.meta.generation}`)
        && m.expiresAt !== null && m.expiresAt <= now);
      if (!expired) continue;
      this.log.info({ family: view.family }, 'family data expired while the store is unreachable; its series are no longer served');
      this.chunks.delete(view.family);
    }
  }

  private async render(family: string, live: readonly MetaView[]): Promise<FamilyView | null> {
    const catalogue = FAMILY_CATALOGUES.find((c) => c.family === family)!;
    const counterGroups = [...new Set((catalogue.counters ?? []).map((d) => d.group))];
    const out = await this.renderer.render({ family, keys: live.map((m) => m.key), counterGroups });
    if (!out) return null;
    const renderSeconds = out.seconds;
    if (out.invalid > 0) this.log.warn({ family, invalid: out.invalid }, 'stored records failed validation and were not rendered');
    if (out.duplicates > 0) this.log.warn({ family, duplicates: out.duplicates }, 'stored records repeated a series of an earlier record; rendered once');
    this.log.debug({ family, series: out.series, bytes: out.chunk.size, renderSeconds }, 'family rendered');
    // The source is what metadata said, so an unchanged generation is not re-rendered next time.
    return { family, chunk: out.chunk, series: out.series, invalid: out.invalid, duplicates: out.duplicates, renderSeconds, source: live.map((m) => `${m.key.orgId}:${m.meta.generation}`).sort().join(',') };
  }
}
