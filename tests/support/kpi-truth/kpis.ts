import { LEVELS, type KpiConfig } from '../../../src/rules/config.js';
import {
  activeCircuit, counterMinutes, failoverAt, gaugeMinutes, promQuantile, upOf,
  type TruthCircuit, type TruthGateway, type TruthSeries,
} from './truth-kpis.js';

/**
 * The truth of every KPI compared, as series to inject, and the comparisons (recorded PromQL vs truth series).
 * Windows in minutes; P ranges are evaluation minutes (see truth-kpis.ts for the alignment).
 */

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
  };
}

export type QualityKpi = 'loss' | 'latency' | 'jitter';
const QUALITY: Readonly<Record<QualityKpi, { field: 'pathLossPct' | 'pathLatencyMs' | 'pathJitterMs'; scale: number; config: 'loss_ratio' | 'latency_seconds' | 'jitter_seconds' }>> = {
  loss: { field: 'pathLossPct', scale: 0.01, config: 'loss_ratio' },
  latency: { field: 'pathLatencyMs', scale: 0.001, config: 'latency_seconds' },
  jitter: { field: 'pathJitterMs', scale: 0.001, config: 'jitter_seconds' },
};

/** A circuit's quality in truth minute j, in the recorded unit (undefined when no path was up). */
function qualityAt(c: TruthCircuit | undefined, kpi: QualityKpi, j: number): number | undefined {
  const v = c?.minutes[j]?.[QUALITY[kpi].field];
  return v === null || v === undefined ? undefined : v * QUALITY[kpi].scale;
}

export interface TruthModel {
  readonly series: TruthSeries[];
  readonly comparisons: Comparison[];
}

/** Per-minute truth of one circuit, at evaluation minutes 0 … n. */
interface CircuitMinutes {
  readonly circuit: TruthCircuit;
  readonly gateway: TruthGateway;
  readonly util5m: (number | undefined)[];
  readonly breach: Record<string, (number | undefined)[]>;
}

const CIRCUIT_ON = ['org_id', 'site_id', 'mac', 'port_id'];
const GATEWAY_ON = ['org_id', 'site_id', 'mac'];
const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/** Utilization over counter minutes: max over directions of the mean per-minute ratio (bytes / bandwidth × 60 s). */
function utilizationOver(c: TruthCircuit, js: readonly number[]): number | undefined {
  const recs = js.map((j) => c.minutes[j]).filter((r) => r !== undefined);
  if (recs.length === 0 || recs.length !== js.length) return undefined;
  return Math.max(sum(recs.map((r) => r.rxUtil)), sum(recs.map((r) => r.txUtil))) / recs.length;
}

/** Longest run of 1s among `flags` (undefined counts as a break). */
function longestRun(flags: readonly (number | undefined)[]): number {
  let best = 0;
  let run = 0;
  for (const f of flags) {
    run = f === 1 ? run + 1 : 0;
    best = Math.max(best, run);
  }
  return best;
}

export function buildTruthModel(gateways: readonly TruthGateway[], n: number, config: KpiConfig, names: RecordedNames): TruthModel {
  const series: TruthSeries[] = [];
  const comparisons: Comparison[] = [];
  const thresholds = config.thresholds.utilization;
  const evalMinutes = Array.from({ length: n + 1 }, (_, p) => p);
  const make = (name: string, labels: Readonly<Record<string, string>>, at: (p: number) => number | undefined, from: number, to: number): void => {
    series.push({ name, labels, values: evalMinutes.map((p) => (p >= from && p <= to ? at(p) : undefined)) });
  };
  const compare = (c: Comparison): void => void comparisons.push(c);

  const perCircuit: CircuitMinutes[] = gateways.flatMap((gateway) => gateway.circuits.map((circuit) => {
    // As the rule: over the deltas known so far (fewer than 5 in the first minutes of the data).
    const util5m = evalMinutes.map((p) => (p >= 2 ? utilizationOver(circuit, counterMinutes(p, 5, n)) : undefined));
    const breach = Object.fromEntries(LEVELS.map((level) => [level, util5m.map((u) => (u === undefined ? undefined : u >= thresholds[level] ? 1 : 0))]));
    return { circuit, gateway, util5m, breach };
  }));

  // ── per minute ──
  const last = n; // the last evaluation minute with data (reads snapshot n − 1)
  for (const { circuit, gateway, util5m } of perCircuit) {
    const l = circuit.labels;
    make('truth_up_1m', l, (p) => upOf(circuit.minutes[p - 1]), 1, last);
    // Not compared where the window holds the minute before a counter reset (its bytes are unobservable: 1 of 5
    // minutes missing cannot be within 2 %). The hourly utilization is compared there (1 of 60).
    make('truth_utilization_5m', l, (p) => (counterMinutes(p, 5, n).some((j) => gateway.unobservableBytes.has(j)) ? undefined : util5m[p]), 2, last);
    make('truth_flaps_1m', l, (p) => circuit.minutes[p - 2]?.transitions, 2, last);
    for (const [kpi, q] of Object.entries(QUALITY)) {
      make(`truth_${kpi}_1m`, l, (p) => {
        const v = circuit.minutes[p - 1]?.[q.field];
        return v === null || v === undefined ? undefined : v * q.scale;
      }, 1, last);
    }
  }
  compare({ id: 'up per minute', recorded: names.circuitUp, truth: 'truth_up_1m', on: CIRCUIT_ON, tolerance: { abs: 0 }, from: 1, to: last });
  compare({ id: 'utilization 5m', recorded: names.utilization5m, truth: 'truth_utilization_5m', on: CIRCUIT_ON, tolerance: { rel: 0.02 }, from: 2, to: last });
  compare({ id: 'flaps per minute', recorded: names.flaps, truth: 'truth_flaps_1m', on: CIRCUIT_ON, tolerance: { abs: 0 }, from: 2, to: last });
  for (const kpi of Object.keys(QUALITY) as QualityKpi[]) {
    compare({ id: `${kpi} per minute`, recorded: names[kpi], truth: `truth_${kpi}_1m`, on: CIRCUIT_ON, tolerance: { rel: 0.05 }, from: 1, to: last });
  }

  // Site down: every circuit of the site down (its gateway disconnected makes them all down).
  for (const gw of gateways) {
    make('truth_site_down_1m', { org_id: gw.labels.org_id!, site_id: gw.labels.site_id! },
      (p) => (gw.circuits.every((c) => upOf(c.minutes[p - 1]) === 0) ? 1 : 0), 1, last);
  }
  compare({ id: 'site down per minute', recorded: names.siteDown, truth: 'truth_site_down_1m', on: ['org_id', 'site_id'], tolerance: { abs: 0 }, from: 1, to: last });
  // Quality of the active circuit while on the secondary (absent otherwise).
  const onSecondary = (gw: TruthGateway, j: number): TruthCircuit | undefined => {
    const a = activeCircuit(gw, j);
    return a !== undefined && !a.primary ? a : undefined;
  };
  for (const gw of gateways) {
    for (const kpi of Object.keys(QUALITY) as QualityKpi[]) {
      make(`truth_secondary_${kpi}_1m`, gw.labels, (p) => qualityAt(onSecondary(gw, p - 1), kpi, p - 1), 1, last);
      make(`truth_secondary_${kpi}_avg_1h`, gw.labels, (p) => {
        const v = gaugeMinutes(p, 60, n).map((j) => qualityAt(onSecondary(gw, j), kpi, j)).filter((x) => x !== undefined);
        return v.length > 0 ? sum(v) / v.length : undefined;
      }, 62, last);
    }
  }
  for (const kpi of Object.keys(QUALITY) as QualityKpi[]) {
    compare({ id: `${kpi} on secondary per minute`, recorded: names.secondary[kpi], truth: `truth_secondary_${kpi}_1m`, on: GATEWAY_ON, tolerance: { rel: 0.05 }, from: 1, to: last });
    compare({ id: `${kpi} on secondary avg 1h`, recorded: names.secondaryAvg1h[kpi], truth: `truth_secondary_${kpi}_avg_1h`, on: GATEWAY_ON, tolerance: { rel: 0.05 }, from: 62, to: last });
  }

  // ── trailing hour, recorded every minute ──
  const H = 60;
  const hourFrom = H + 2;
  for (const { circuit, breach } of perCircuit) {
    const l = circuit.labels;
    const ups = (p: number): number[] => gaugeMinutes(p, H, n).map((j) => upOf(circuit.minutes[j])).filter((v) => v !== undefined);
    make('truth_up_minutes_1h', l, (p) => sum(ups(p)), hourFrom, last);
    make('truth_availability_1h', l, (p) => sum(ups(p)) / ups(p).length, hourFrom, last);
    make('truth_utilization_1h', l, (p) => utilizationOver(circuit, counterMinutes(p, H, n)), hourFrom, last);
    make('truth_flaps_1h', l, (p) => sum(counterMinutes(p, H, n).map((j) => circuit.minutes[j]?.transitions ?? 0)), hourFrom, last);
    for (const level of LEVELS) {
      const flags = breach[level]!;
      const window = (p: number): (number | undefined)[] => evalMinutes.slice(p - H + 1, p + 1).map((q) => flags[q]);
      make('truth_utilization_breach_seconds_1h', { ...l, level }, (p) => sum(window(p).map((f) => f ?? 0)) * 60, hourFrom, last);
      make('truth_utilization_longest_run_1h', { ...l, level }, (p) => longestRun(window(p)) * 60, hourFrom, last);
    }
    // Time above a quality threshold, as a band: a minute whose truth is within the quality tolerance (±5 %) of the
    // threshold may be on either side (Mist serves loss to 0.01 %, latency and jitter to 1 ms: a minute at
    // 0.0996 % is 0.10 % there). Low end: minutes surely above; high end: minutes possibly above. Defined where the
    // circuit had a quality value in the hour (none: no flags are recorded).
    for (const kpi of Object.keys(QUALITY) as QualityKpi[]) {
      for (const level of LEVELS) {
        const t = config.thresholds[QUALITY[kpi].config][level];
        const count = (p: number, above: (v: number) => boolean): number | undefined => {
          const v = gaugeMinutes(p, H, n).map((j) => qualityAt(circuit, kpi, j)).filter((x) => x !== undefined);
          return v.length === 0 ? undefined : 60 * v.filter(above).length;
        };
        make(`truth_${kpi}_breach_seconds_low_1h`, { ...l, level }, (p) => count(p, (v) => v >= t * 1.05), hourFrom, last);
        make(`truth_${kpi}_breach_seconds_high_1h`, { ...l, level }, (p) => count(p, (v) => v >= t * 0.95), hourFrom, last);
      }
    }
    for (const [kpi, q] of Object.entries(QUALITY)) {
      const values = (p: number): number[] => gaugeMinutes(p, H, n).map((j) => circuit.minutes[j]?.[q.field]).filter((v): v is number => typeof v === 'number').map((v) => v * q.scale);
      const defined = (f: (v: number[]) => number) => (p: number): number | undefined => (values(p).length > 0 ? f(values(p)) : undefined);
      make(`truth_${kpi}_avg_1h`, l, defined((v) => sum(v) / v.length), hourFrom, last);
      make(`truth_${kpi}_max_1h`, l, defined((v) => Math.max(...v)), hourFrom, last);
      make(`truth_${kpi}_p95_1h`, l, defined((v) => promQuantile(0.95, v)), hourFrom, last);
    }
  }
  for (const gw of gateways) {
    for (const circuit of gw.circuits) {
      if (!circuit.primary) continue;
      make('truth_failovers_1h', circuit.labels, (p) => sum(gaugeMinutes(p, H, n).map((j) => failoverAt(gw, circuit, j))), hourFrom, last);
    }
    const primary = gw.circuits.find((c) => c.primary);
    make('truth_on_secondary_seconds_1h', gw.labels, (p) => 60 * sum(gaugeMinutes(p, H, n).map((j) => {
      const a = activeCircuit(gw, j);
      return a !== undefined && a !== primary ? 1 : 0;
    })), hourFrom, last);
  }
  const hourly = (id: string, recorded: string, truth: string, tolerance: Tolerance, on = CIRCUIT_ON, from = hourFrom): void =>
    compare({ id, recorded, truth, on, tolerance, from, to: last });
  hourly('up minutes 1h', names.upMinutes1h, 'truth_up_minutes_1h', { abs: 0 });
  hourly('availability 1h', names.availability1h, 'truth_availability_1h', { abs: 0.005 });
  hourly('utilization 1h', names.utilization1h, 'truth_utilization_1h', { rel: 0.02 });
  hourly('flaps 1h', names.flaps1h, 'truth_flaps_1h', { abs: 0 });
  hourly('failovers 1h', `sum without (to_port_id) (${names.failovers1h})`, 'truth_failovers_1h', { abs: 0 });
  hourly('time on secondary 1h', names.onSecondarySeconds1h, 'truth_on_secondary_seconds_1h', { abs: 60 }, GATEWAY_ON);
  // One level per item: promtool's engine loads at most 50,000 samples per query.
  for (const level of LEVELS) {
    const lv = `{level="${level}"}`;
    hourly(`utilization time above ${level} 1h`, `${names.utilizationBreachSeconds1h}${lv}`, `truth_utilization_breach_seconds_1h${lv}`, { abs: 60 }, CIRCUIT_ON, hourFrom);
    // The longest run is clipped to the clock hour (seconds_in_hour): compared at the end of each clock hour,
    // where the trailing hour is that clock hour.
    const clockHours: number[] = [];
    for (let p = last - (last % H); p >= hourFrom; p -= H) clockHours.push(p);
    compare({ id: `utilization longest run above ${level} in the clock hour`, recorded: '', truth: `truth_utilization_longest_run_1h${lv}`,
      on: CIRCUIT_ON, tolerance: { abs: 60 }, from: hourFrom, to: last,
      checkpoints: { minutes: clockHours, recordedAt: () => `${names.utilizationLongestRun1h}${lv}` } });
  }
  for (const kpi of Object.keys(QUALITY) as QualityKpi[]) {
    for (const level of LEVELS) {
      const lv = `{level="${level}"}`;
      compare({ id: `${kpi} time above ${level} 1h`, recorded: `${names.qualityBreachSeconds1h[kpi]}${lv}`, truth: `truth_${kpi}_breach_seconds_low_1h${lv}`,
        truthHigh: `truth_${kpi}_breach_seconds_high_1h${lv}`, on: CIRCUIT_ON, tolerance: { abs: 60 }, from: hourFrom, to: last });
    }
    for (const stat of ['avg', 'max', 'p95'] as const) {
      hourly(`${kpi} ${stat} 1h`, names.quality1h[kpi][stat], `truth_${kpi}_${stat}_1h`, { rel: 0.05 });
    }
  }

  // ── time above threshold over 3 h / 12 h / 24 h (rolling), cumulative and continuous, at checkpoints ──
  for (const hours of [3, 12, 24]) {
    const w = hours * 60;
    const from = w + 8;
    if (from > last) continue;
    const checkpoints: number[] = [];
    // Every 2 h (3 h windows), 3 h (12 h) or hour (24 h): each checkpoint is one item per level and site.
    const every = hours === 3 ? 120 : hours === 12 ? 180 : 60;
    for (let p = last; p >= from; p -= every) checkpoints.push(p);
    for (const { circuit, breach } of perCircuit) {
      for (const level of LEVELS) {
        const flags = breach[level]!;
        const window = (p: number): (number | undefined)[] => evalMinutes.slice(p - w + 1, p + 1).map((q) => flags[q]);
        make(`truth_utilization_breach_seconds_${hours}h`, { ...circuit.labels, level }, (p) => sum(window(p).map((f) => f ?? 0)) * 60, from, last);
        make(`truth_utilization_longest_run_${hours}h`, { ...circuit.labels, level }, (p) => longestRun(window(p)) * 60, from, last);
      }
    }
    // One level and one site per item: promtool's engine loads at most 50,000 samples per query.
    for (const level of LEVELS) {
      // 24 h windows one circuit per item (a 24 h subquery of one site's circuits is over the limit).
      const parts = hours >= 24
        ? perCircuit.map(({ circuit: c }) => `site_id="${c.labels.site_id}",port_id="${c.labels.port_id}"`)
        : [...new Set(gateways.map((g) => `site_id="${g.labels.site_id}"`))];
      for (const site of parts) {
        const m = `{level="${level}",${site}}`;
        const breachOf = `${names.utilizationBreach}${m}`;
        const runOf = `${names.utilizationRun}${m}`;
        const truthOf = (kpi: string): string => `truth_utilization_${kpi}_${hours}h${m}`;
        // docs/kpis.md's period queries, as written there (a window W as `[W − 1s]`: exactly W/60 per-minute
        // samples): cumulative `sum_over_time(flag[W]) * 60`; continuous, each run clipped to the window's start T0
        // (its first evaluation, E − W + 60 s, which counts as one minute):
        // `max_over_time((R - clamp_min(R - (floor((timestamp(R) - T0) / 60) + 1) * 60, 0))[W:1m])`.
        const range = `${hours - 1}h59m59s`;
        compare({ id: `utilization time above ${level} over ${hours}h (cumulative), ${site}`, recorded: '', truth: truthOf('breach_seconds'),
          on: CIRCUIT_ON, tolerance: { abs: 60 }, from, to: last,
          checkpoints: { minutes: checkpoints, recordedAt: () => `sum_over_time(${breachOf}[${range}]) * 60` } });
        compare({ id: `utilization longest run above ${level} over ${hours}h (continuous), ${site}`, recorded: '', truth: truthOf('longest_run'),
          on: CIRCUIT_ON, tolerance: { abs: 60 }, from, to: last,
          checkpoints: {
            minutes: checkpoints,
            recordedAt: (e) => `max_over_time((${runOf} - clamp_min(${runOf} - (floor((timestamp(${runOf}) - ${e - w * 60 + 60}) / 60) + 1) * 60, 0))[${range}:1m])`,
          } });
      }
    }
  }
  dayKpis(gateways, perCircuit, n, names, make, compare);
  return { series, comparisons };
}

type Make = (name: string, labels: Readonly<Record<string, string>>, at: (p: number) => number | undefined, from: number, to: number) => void;

/**
 * The first UTC day (Prometheus time 0 is the simulated midnight), recorded by the day group during the next
 * day's first hour: compared at three evaluation minutes in that hour. The day is the trailing hours ending at
 * clock hours 1 … 24: evaluation minutes 1 … 1440, i.e. gauge minutes 0 … 1439 and counter minutes 0 … 1438
 * (minute −1 was never collected). Averages are the true means over the day's minutes; the rules average hourly
 * values (equal when every hour is complete).
 */
function dayKpis(gateways: readonly TruthGateway[], perCircuit: readonly CircuitMinutes[], n: number, names: RecordedNames, make: Make, compare: (c: Comparison) => void): void {
  const D = 1440;
  if (n < D + 60) return;
  const at = [D, D + 30, D + 59];
  const gauge = gaugeMinutes(D, D, n);
  const counter = counterMinutes(D, D, n);
  const evals = Array.from({ length: D }, (_, i) => i + 1);
  const day = (name: string, labels: Readonly<Record<string, string>>, value: number | undefined): void =>
    make(name, labels, (p) => (at.includes(p) ? value : undefined), D, D + 59);
  for (const { circuit, gateway, breach } of perCircuit) {
    const l = circuit.labels;
    const ups = gauge.map((j) => upOf(circuit.minutes[j])).filter((v) => v !== undefined);
    day('truth_up_minutes_1d', l, sum(ups));
    day('truth_availability_1d', l, sum(ups) / ups.length);
    day('truth_flaps_1d', l, sum(counter.map((j) => circuit.minutes[j]?.transitions ?? 0)));
    if (circuit.primary) day('truth_failovers_1d', l, sum(gauge.map((j) => failoverAt(gateway, circuit, j))));
    const hourly = Array.from({ length: 24 }, (_, h) => utilizationOver(circuit, counterMinutes((h + 1) * 60, 60, n)));
    if (hourly.every((u) => u !== undefined)) {
      day('truth_utilization_max_1d', l, Math.max(...(hourly as number[])));
      day('truth_utilization_avg_1d', l, utilizationOver(circuit, counter));
    }
    for (const level of LEVELS) {
      const flags = evals.map((q) => breach[level]![q] ?? 0);
      day('truth_utilization_breach_seconds_1d', { ...l, level }, sum(flags) * 60);
      day('truth_utilization_longest_run_1d', { ...l, level }, longestRun(flags) * 60);
    }
    for (const [kpi, q] of Object.entries(QUALITY)) {
      const values = gauge.map((j) => circuit.minutes[j]?.[q.field]).filter((v): v is number => typeof v === 'number').map((v) => v * q.scale);
      if (values.length === 0) continue;
      day(`truth_${kpi}_avg_1d`, l, sum(values) / values.length);
      day(`truth_${kpi}_max_1d`, l, Math.max(...values));
    }
  }
  for (const gw of gateways) {
    const primary = gw.circuits.find((c) => c.primary);
    day('truth_on_secondary_seconds_1d', gw.labels, 60 * sum(gauge.map((j) => {
      const a = activeCircuit(gw, j);
      return a !== undefined && a !== primary ? 1 : 0;
    })));
  }
  const d = names.day;
  const one = (id: string, recorded: string, truth: string, tolerance: Tolerance, on = CIRCUIT_ON): void =>
    compare({ id, recorded: '', truth, on, tolerance, from: D, to: D + 59, checkpoints: { minutes: at, recordedAt: () => recorded } });
  one('up minutes 1d', d.upMinutes, 'truth_up_minutes_1d', { abs: 0 });
  one('availability 1d', d.availability, 'truth_availability_1d', { abs: 0.005 });
  one('flaps 1d', d.flaps, 'truth_flaps_1d', { abs: 0 });
  one('failovers 1d', `sum without (to_port_id) (${d.failovers})`, 'truth_failovers_1d', { abs: 0 });
  one('time on secondary 1d', d.onSecondarySeconds, 'truth_on_secondary_seconds_1d', { abs: 60 }, GATEWAY_ON);
  one('utilization max 1d (busiest hour)', d.utilizationMax, 'truth_utilization_max_1d', { rel: 0.02 });
  one('utilization avg 1d', d.utilizationAvg, 'truth_utilization_avg_1d', { rel: 0.02 });
  for (const level of LEVELS) {
    const lv = `{level="${level}"}`;
    one(`utilization time above ${level} 1d`, `${d.utilizationBreachSeconds}${lv}`, `truth_utilization_breach_seconds_1d${lv}`, { abs: 60 });
    one(`utilization longest run above ${level} 1d`, `${d.utilizationLongestRun}${lv}`, `truth_utilization_longest_run_1d${lv}`, { abs: 60 });
  }
  for (const kpi of Object.keys(QUALITY) as QualityKpi[]) {
    one(`${kpi} avg 1d`, d.quality[kpi].avg, `truth_${kpi}_avg_1d`, { rel: 0.05 });
    one(`${kpi} max 1d`, d.quality[kpi].max, `truth_${kpi}_max_1d`, { rel: 0.05 });
  }
}
