import { FAMILY_CATALOGUES } from '../families/registry.js';
import { catalogueEntries } from '../metrics/catalogue/index.js';

/**
 * PromQL building blocks for the generated rules. Raw metric names go through `metric()`, which refuses a name
 * the catalogue does not declare (the catalogue is the one source of metric names).
 */

let declared: Set<string> | null = null;

/** A catalogue metric's name; throws at generation time for a name no family or self-metric declares. */
export function metric(name: string): string {
  declared ??= new Set(catalogueEntries().map((e) => e.name));
  if (!declared.has(name)) throw new Error(`rules read ${name}, which the metric catalogue does not declare`);
  return name;
}

/** Formats seconds as a Prometheus duration (`90` → `1m30s`, `3600` → `1h`, `86400` → `1d`). */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) throw new Error(`bad duration ${seconds}`);
  if (seconds === 0) return '0s';
  const units: [string, number][] = [['d', 86_400], ['h', 3_600], ['m', 60], ['s', 1], ['ms', 0.001]];
  let rest = Math.round(seconds * 1000) / 1000;
  let out = '';
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size + 1e-9);
    if (n > 0) {
      out += `${n}${unit}`;
      rest = Math.round((rest - n * size) * 1000) / 1000;
    }
  }
  return out;
}

/** Collapses the whitespace of a multi-line PromQL template into one line (the YAML stays readable either way). */
export const oneLine = (expr: string): string => expr.replace(/\s+/g, ' ').trim();

/** Labels that tell exporter replicas and overlapping `?family=` jobs apart; every raw read drops them. */
export const REPLICA_LABELS = ['instance', 'job'] as const;

export interface LaggedOptions {
  /** Label matchers inside the braces, e.g. `region="EMEA"`. */
  readonly matchers?: string;
  /** Keep only these labels (`max by`) instead of dropping the replica labels (`max without`). */
  readonly by?: readonly string[];
}

/**
 * A raw catalogue metric as every KPI rule reads it: `max without (instance, job) (NAME offset LAG)`.
 * The offset (one grain) keeps a rule from reading a scrape that is still being ingested (docs/metrics.md,
 * "Recording rules lag"); the `max` folds two exporter replicas or overlapping family jobs serving the same
 * series into one, so no join meets "duplicate series for the match group".
 */
export function lagged(name: string, lagSeconds: number, options: LaggedOptions = {}): string {
  const selector = `${metric(name)}${options.matchers ? `{${options.matchers}}` : ''} offset ${duration(lagSeconds)}`;
  const grouping = options.by ? `by (${options.by.join(', ')})` : `without (${REPLICA_LABELS.join(', ')})`;
  return `max ${grouping} (${selector})`;
}

/**
 * The increase of a raw counter over one grain, reset-proof: the change between the samples one and two grains
 * back, or, when the counter fell (a reboot, a lost store), the value after the reset (it restarted from 0).
 * Summed over a window it is the exact count, where increase() extrapolates and a plain delta goes negative.
 */
export function counterDelta(name: string, grainSeconds: number): string {
  const a = lagged(name, grainSeconds);
  const b = lagged(name, 2 * grainSeconds);
  return `${a} - ${b} >= 0 or ${a} < ${b}`;
}

/** A PromQL string literal (label values). */
export const quote = (value: string): string => JSON.stringify(value);

/** The collector family whose snapshot serves a catalogue metric (its freshness is that family's). */
export function familyOf(name: string): string {
  const found = FAMILY_CATALOGUES.find((c) => c.groups.some((g) => g.metrics.some((m) => m.name === name)));
  if (!found) throw new Error(`no collector family serves ${name}`);
  return found.family;
}
