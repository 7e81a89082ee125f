import { LEVELS } from '../../../src/rules/config.js';
import { CIRCUIT_ON, longestRun, sum, type CircuitMinutes, type Compare, type Make, type RecordedNames } from './kpi-types.js';
import type { TruthGateway } from './truth-kpis.js';

/**
 * Time above each utilization level over rolling 3 h / 12 h / 24 h windows, both modes, at checkpoints, read
 * through docs/kpis.md's period queries.
 */
export function windowKpis(gateways: readonly TruthGateway[], perCircuit: readonly CircuitMinutes[], last: number, names: RecordedNames, make: Make, compare: Compare): void {
  const evalMinutes = Array.from({ length: last + 1 }, (_, p) => p);
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
        // docs/kpis.md's form for every circuit, by clock hours: within its stated precision (short by less than an
        // hour for a run that crossed a clock hour and ended; the first clock hour read may begin before T0).
        const maxOf = `${names.utilizationLongestRun1h}${m}`;
        const clipped = (e: number): string => `(${runOf} - clamp_min(${runOf} - (floor((timestamp(${runOf}) - ${e - w * 60 + 60}) / 60) + 1) * 60, 0))`;
        compare({ id: `utilization longest run above ${level} over ${hours}h (continuous, clock hours), ${site}`, recorded: '', truth: truthOf('longest_run'),
          on: CIRCUIT_ON, tolerance: { abs: 3600 }, from, to: last,
          checkpoints: {
            minutes: checkpoints,
            recordedAt: (e) => `max without (part) (label_replace(max_over_time(${maxOf}[${range}:1h]), "part", "hours", "", "")`
              + ` or label_replace(${maxOf}, "part", "last hour", "", "")`
              + ` or label_replace(max_over_time(${clipped(e)}[${range}:1h]), "part", "at hours", "", "")`
              + ` or label_replace(clamp_max(${runOf}, ${w * 60}), "part", "now", "", ""))`,
          } });
      }
    }
  }}
