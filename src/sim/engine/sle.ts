/** Service-level accounting: which user-minutes were degraded, by metric and classifier, in 10-minute buckets. */

export const SLE_METRICS = {
  'gateway-health': ['gateway-disconnected', 'cpu-usage', 'memory-usage'],
  'wan-link-health': [
    'interface-port-down', 'interface-congestion', 'network-loss', 'network-latency', 'network-jitter',
    'network-vpn-path-down', 'interface-lte-signal',
  ],
  'application-health': [
    'application-services-application-disconnects', 'application-services-application-bandwidth', 'loss', 'latency', 'jitter',
  ],
} as const;

export type SleMetric = keyof typeof SLE_METRICS;
export const SLE_METRIC_NAMES = Object.keys(SLE_METRICS) as SleMetric[];
export const BUCKET_SECONDS = 600;

export interface SleTotals {
  total: number;
  degraded: number;
  classifiers: Record<string, number>;
}

interface Layout {
  offset: number;
  classifiers: readonly string[];
}

/** Column layout per metric: [total, degraded, classifier...]. */
function layoutOf(metrics: readonly SleMetric[]): { cols: number; byMetric: Map<SleMetric, Layout> } {
  const byMetric = new Map<SleMetric, Layout>();
  let cols = 0;
  for (const m of metrics) {
    byMetric.set(m, { offset: cols, classifiers: SLE_METRICS[m] });
    cols += 2 + SLE_METRICS[m].length;
  }
  return { cols, byMetric };
}

/** Bucketed counters for N entities (sites, or WAN ports) over a rolling window. */
export class SleBuckets {
  private readonly data: Uint16Array;
  private readonly bucketOfSlot: Float64Array;
  private readonly cols: number;
  private readonly layout: Map<SleMetric, Layout>;

  constructor(private readonly entities: number, private readonly slots: number, readonly metrics: readonly SleMetric[]) {
    const l = layoutOf(metrics);
    this.cols = l.cols;
    this.layout = l.byMetric;
    this.data = new Uint16Array(entities * slots * this.cols);
    this.bucketOfSlot = new Float64Array(slots).fill(-1);
  }

  /** Counts one user-minute for the entity at `epochSeconds`; bit k of `degradedMask` set = classifier k degraded it. */
  record(epochSeconds: number, entity: number, metric: SleMetric, degradedMask: number, weight = 1): void {
    const bucket = Math.floor(epochSeconds / BUCKET_SECONDS);
    const slot = bucket % this.slots;
    if (this.bucketOfSlot[slot] !== bucket) {
      this.data.fill(0, slot * this.entities * this.cols, (slot + 1) * this.entities * this.cols);
      this.bucketOfSlot[slot] = bucket;
    }
    const lay = this.layout.get(metric);
    if (!lay) return;
    const base = (slot * this.entities + entity) * this.cols + lay.offset;
    this.data[base] = this.data[base]! + weight;
    if (degradedMask === 0) return;
    this.data[base + 1] = this.data[base + 1]! + weight;
    for (let c = 0; c < lay.classifiers.length; c++) {
      if (degradedMask & (1 << c)) this.data[base + 2 + c] = this.data[base + 2 + c]! + weight;
    }
  }

  /** Totals over buckets that start in [start, end). */
  totals(entity: number, metric: SleMetric, start: number, end: number): SleTotals {
    const lay = this.layout.get(metric);
    const out: SleTotals = { total: 0, degraded: 0, classifiers: {} };
    if (!lay) return out;
    for (const c of lay.classifiers) out.classifiers[c] = 0;
    for (let b = Math.floor(start / BUCKET_SECONDS); b * BUCKET_SECONDS < end; b++) {
      const slot = b % this.slots;
      if (this.bucketOfSlot[slot] !== b) continue;
      const base = (slot * this.entities + entity) * this.cols + lay.offset;
      out.total += this.data[base]!;
      out.degraded += this.data[base + 1]!;
      lay.classifiers.forEach((c, k) => {
        out.classifiers[c] = (out.classifiers[c] ?? 0) + this.data[base + 2 + k]!;
      });
    }
    return out;
  }

  /** Per-interval totals, for trend samples. */
  series(entity: number, metric: SleMetric, start: number, end: number, interval: number): SleTotals[] {
    const out: SleTotals[] = [];
    for (let t = start; t < end; t += interval) out.push(this.totals(entity, metric, t, Math.min(end, t + interval)));
    return out;
  }
}

/** Score as Mist reports it: the share of user-minutes that were not degraded; null when nothing was measured. */
export function scoreOf(t: SleTotals): number | null {
  return t.total === 0 ? null : (t.total - t.degraded) / t.total;
}
