import type { TruthCircuit, TruthGateway, TruthSeries } from './truth-kpis.js';

/** What the KPI truth compares: tolerances, comparisons, the recorded names read, and shared truth helpers. */

export interface Tolerance {
  /** Absolute tolerance in the KPI's unit. */
  readonly abs?: number;
  /** Relative tolerance (0.02 = 2 %). */
  readonly rel?: number;
}

export interface Comparison {
  readonly id: string;
  /** PromQL of the recorded value (a recorded name, or the documented period query). */
  readonly recorded: string;
  readonly truth: string;
  /**
   * A band instead of a value: `truth` is its low end, this its high end; the recorded value must lie within
   * [low − tolerance, high + tolerance].
   */
  readonly truthHigh?: string;
  /** Labels the recorded and truth series are matched on. */
  readonly on: readonly string[];
  readonly tolerance: Tolerance;
  /** Evaluation minutes compared, inclusive: every minute between them. */
  readonly from: number;
  readonly to: number;
  /**
   * Instead of every minute: these evaluation minutes only, with the recorded PromQL built for each (a rolling
   * window's start is a literal there: PromQL cannot name the outer evaluation time inside a subquery).
   */
  readonly checkpoints?: { readonly minutes: readonly number[]; readonly recordedAt: (evalSeconds: number) => string };
}

/** The recorded names this test reads: the recording helper's contract (src/rules/names.ts). */
export interface RecordedNames {
  readonly circuitUp: string;
  readonly utilization5m: string;
  readonly utilizationBreach: string;
  readonly utilizationRun: string;
  readonly flaps: string;
  readonly failovers: string;
  readonly loss: string;
  readonly latency: string;
  readonly jitter: string;
  readonly onSecondary: string;
  readonly siteDown: string;
  readonly secondary: Readonly<Record<QualityKpi, string>>;
  readonly qualityBreachSeconds1h: Readonly<Record<QualityKpi, string>>;
  readonly secondaryAvg1h: Readonly<Record<QualityKpi, string>>;
  readonly upMinutes1h: string;
  readonly availability1h: string;
  readonly utilization1h: string;
  readonly utilizationBreachSeconds1h: string;
  readonly utilizationLongestRun1h: string;
  readonly flaps1h: string;
  readonly failovers1h: string;
  readonly onSecondarySeconds1h: string;
  readonly quality1h: Readonly<Record<QualityKpi, Readonly<Record<'avg' | 'max' | 'p95', string>>>>;
  readonly day: {
    readonly upMinutes: string;
    readonly availability: string;
    readonly utilizationAvg: string;
    readonly utilizationMax: string;
    readonly utilizationBreachSeconds: string;
    readonly utilizationLongestRun: string;
    readonly flaps: string;
    readonly failovers: string;
    readonly onSecondarySeconds: string;
    readonly quality: Readonly<Record<QualityKpi, Readonly<Record<'avg' | 'max', string>>>>;
    readonly secondaryAvg: Readonly<Record<QualityKpi, string>>;
  };
}

export type QualityKpi = 'loss' | 'latency' | 'jitter';
export const QUALITY: Readonly<Record<QualityKpi, { field: 'pathLossPct' | 'pathLatencyMs' | 'pathJitterMs'; scale: number; config: 'loss_ratio' | 'latency_seconds' | 'jitter_seconds' }>> = {
  loss: { field: 'pathLossPct', scale: 0.01, config: 'loss_ratio' },
  latency: { field: 'pathLatencyMs', scale: 0.001, config: 'latency_seconds' },
  jitter: { field: 'pathJitterMs', scale: 0.001, config: 'jitter_seconds' },
};

/** A circuit's quality in truth minute j, in the recorded unit (undefined when no path was up). */
export function qualityAt(c: TruthCircuit | undefined, kpi: QualityKpi, j: number): number | undefined {
  const v = c?.minutes[j]?.[QUALITY[kpi].field];
  return v === null || v === undefined ? undefined : v * QUALITY[kpi].scale;
}

export interface TruthModel {
  readonly series: TruthSeries[];
  readonly comparisons: Comparison[];
}

/** Per-minute truth of one circuit, at evaluation minutes 0 … n. */
export interface CircuitMinutes {
  readonly circuit: TruthCircuit;
  readonly gateway: TruthGateway;
  readonly util5m: (number | undefined)[];
  readonly breach: Record<string, (number | undefined)[]>;
}

export const CIRCUIT_ON = ['org_id', 'site_id', 'mac', 'port_id'];
export const GATEWAY_ON = ['org_id', 'site_id', 'mac'];
export const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/** Utilization over counter minutes: max over directions of the mean per-minute ratio (bytes / bandwidth × 60 s). */
export function utilizationOver(c: TruthCircuit, js: readonly number[]): number | undefined {
  const recs = js.map((j) => c.minutes[j]).filter((r) => r !== undefined);
  if (recs.length === 0 || recs.length !== js.length) return undefined;
  return Math.max(sum(recs.map((r) => r.rxUtil)), sum(recs.map((r) => r.txUtil))) / recs.length;
}

/** Longest run of 1s among `flags` (undefined counts as a break). */
export function longestRun(flags: readonly (number | undefined)[]): number {
  let best = 0;
  let run = 0;
  for (const f of flags) {
    run = f === 1 ? run + 1 : 0;
    best = Math.max(best, run);
  }
  return best;
}

export type Make = (name: string, labels: Readonly<Record<string, string>>, at: (p: number) => number | undefined, from: number, to: number) => void;

export type Compare = (c: Comparison) => void;
