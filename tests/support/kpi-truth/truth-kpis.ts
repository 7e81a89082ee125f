import type { TruthMinute, TruthSite } from '../truth.js';

/**
 * The KPIs computed from the simulator's per-minute truth history alone (never from the exporter's data or the
 * rules' arithmetic), placed at the evaluation minutes of the rules they are compared with.
 *
 * Time: evaluation minute P is Prometheus time P × 60 s from the first snapshot (snapshot i was collected at
 * simulated start + 60 i and scraped at 60 i and 60 i + 30 s). Truth minute j is the simulated minute
 * [start + 60 j, start + 60 j + 60).
 * - A gauge (port/gateway up, VPN path quality, the active circuit) collected at minute i describes truth minute i
 *   (every state change of the simulator happens on a minute boundary, incidents included: they start at a
 *   collection and last whole minutes). The rules read raw series `offset 1m`: the per-minute value recorded at P
 *   describes truth minute P − 1.
 * - A counter delta between snapshots i − 1 and i holds truth minute i − 1. Read at `offset 1m` and `offset 2m`,
 *   the per-minute delta recorded at P holds truth minute P − 2 (bytes). Flaps too: a port event carries the
 *   timestamp of the boundary where the state changed, and Mist's event search (like the simulator's) ends before
 *   `now`, so the collection at that boundary does not see it yet, the next one does: the flap counter at
 *   snapshot i counts the transitions of truth minutes … i − 1, exactly as a byte counter.
 * - A trailing window of W minutes recorded at P (`[W − 1s]` over per-minute series: the samples P − W + 1 … P)
 *   holds gauge minutes P − W … P − 1 and counter minutes P − W − 1 … P − 2.
 * - A truth minute counts only where the pipeline could know it: gauges from snapshot 0, counter deltas from the
 *   second snapshot (minute 0 needs snapshots 0 and 1).
 */

export const CIRCUIT_LABELS = ['org_id', 'site_id', 'mac', 'port_id'] as const;
export const GATEWAY_LABELS = ['org_id', 'site_id', 'mac'] as const;

export interface TruthSeries {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Indexed by evaluation minute P; undefined where the truth is not defined. */
  readonly values: (number | undefined)[];
}

export interface TruthCircuit {
  readonly labels: Readonly<Record<string, string>>;
  readonly primary: boolean;
  /** Truth minute j → record (undefined when the simulator did not hold it). */
  readonly minutes: readonly (TruthMinute | undefined)[];
}

export interface TruthGateway {
  readonly labels: Readonly<Record<string, string>>;
  readonly circuits: readonly TruthCircuit[];
  /**
   * Truth minutes whose bytes no collector can see: the minute before a reboot reset the counters (the reset falls
   * on the boundary where the minute ends, before that boundary's collection).
   */
  readonly unobservableBytes: ReadonlySet<number>;
}

/** How long the simulator's reboots last (random ones always; the scenario forces 3-minute ones). */
export const REBOOT_SECONDS = 180;

/** Circuits and gateways of the truth, with their history re-indexed by truth minute from `start`. */
export function truthGateways(orgId: string, sites: readonly TruthSite[], start: number, minutes: number): TruthGateway[] {
  return sites.map((site) => ({
    labels: { org_id: orgId, site_id: site.site_id, mac: site.gateway.mac },
    // The last boot is the truth's (a gateway rebooted twice in the run would need the earlier one too: the
    // scenario reboots once, random reboots are ~1 in 45 days per gateway).
    unobservableBytes: new Set(site.gateway.boot_time > start && site.gateway.boot_time <= start + minutes * 60
      ? [(site.gateway.boot_time - REBOOT_SECONDS - start) / 60 - 1] : []),
    circuits: site.circuits.map((c) => {
      const byMinute: (TruthMinute | undefined)[] = new Array(minutes).fill(undefined);
      for (const r of c.history ?? []) {
        const j = (r.minute - start) / 60;
        if (j >= 0 && j < minutes) byMinute[j] = r;
      }
      return { labels: { org_id: orgId, site_id: site.site_id, mac: site.gateway.mac, port_id: c.port_id }, primary: c.role === 'primary', minutes: byMinute };
    }),
  }));
}

/** Gauge minutes held by a trailing window of `w` minutes recorded at P (see the header). */
export function gaugeMinutes(p: number, w: number, n: number): number[] {
  const out: number[] = [];
  for (let j = Math.max(0, p - w); j <= Math.min(n - 1, p - 1); j++) out.push(j);
  return out;
}

/** Counter-delta minutes held by a trailing window of `w` minutes recorded at P (minute j needs snapshot j + 1). */
export function counterMinutes(p: number, w: number, n: number): number[] {
  const out: number[] = [];
  for (let j = Math.max(0, p - w - 1); j <= Math.min(n - 2, p - 2); j++) out.push(j);
  return out;
}

/** Prometheus' quantile_over_time: linear interpolation between the closest ranks (rank = q × (n − 1)). */
export function promQuantile(q: number, values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = q * (sorted.length - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(sorted.length - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  return sorted[lower]! * (1 - weight) + sorted[upper]! * weight;
}

/** The circuit active in truth minute j (active the whole minute), or undefined when none. */
export function activeCircuit(gw: TruthGateway, j: number): TruthCircuit | undefined {
  return gw.circuits.find((c) => (c.minutes[j]?.activeSeconds ?? 0) >= 30);
}

/** 1 in truth minute j when the gateway's active circuit left the primary for another circuit (a failover). */
export function failoverAt(gw: TruthGateway, c: TruthCircuit, j: number): number {
  if (!c.primary || j < 1) return 0;
  const before = activeCircuit(gw, j - 1);
  const now = activeCircuit(gw, j);
  return before === c && now !== undefined && now !== c ? 1 : 0;
}

export const upOf = (r: TruthMinute | undefined): number | undefined => (r === undefined ? undefined : r.upSeconds >= 30 ? 1 : 0);
