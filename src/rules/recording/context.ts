import type { GenerateOptions, KpiConfig } from '../config.js';
import { R } from '../names.js';
import { counterDelta, duration, lagged, oneLine, quote, type LaggedOptions } from '../promql.js';
import type { RecordingRule } from '../types.js';

/** Label sets of the recorded levels (src/rules/names.ts). */
export const CIRCUIT = ['org_id', 'site_id', 'mac', 'port_id'] as const;
export const GATEWAY = ['org_id', 'site_id', 'mac'] as const;
export const SITE = ['org_id', 'site_id'] as const;
export const on = (labels: readonly string[]): string => `on (${labels.join(', ')})`;

/**
 * Seconds of data one grain stands for: always 60. The time scale shrinks windows, intervals and the lag (the
 * Prometheus clock), never the units of the data: a simulator at speed 30 still counts bytes per simulated
 * second, so rates divide by 60 s per per-minute sample and run lengths / time above add 60 s per sample.
 */
export const DATA_GRAIN_SECONDS = 60;

/** A collector family the per-minute series read (src/families/*): take it from `familyOf(metric)`. */
export type Family = string;

/** A window's left end is left out by this much, so `[W − ε]` holds exactly W / grain samples (docs/kpis.md). */
const EPSILON_SECONDS = 1;

/**
 * What every rule builder needs: the config and the time base. Every duration goes through here, multiplied by
 * options.timeScale (1 for the shipped rules).
 */
export interface Ctx {
  readonly config: KpiConfig;
  /** The grain (one minute, scaled), seconds: the minute and hour groups' interval and the raw reads' lag. */
  readonly grain: number;
  /** Seconds of data per grain (60 at every time scale): the unit of rates, run lengths and time above. */
  readonly unit: number;
  readonly hour: number;
  readonly day: number;
  /** Seconds → Prometheus duration. */
  d(seconds: number): string;
  /** `W − ε` as a duration, for ranges over recorded series: exactly W / grain samples at any phase. */
  w(seconds: number): string;
  /** A raw catalogue metric read one grain back with the replica labels folded (src/rules/promql.ts). */
  raw(name: string, options?: LaggedOptions): string;
  /** The reset-proof increase of a raw counter over the last grain. */
  delta(name: string): string;
  /**
   * 0/1 per {org_id, family}: the snapshot the read `back` grains back sees (default: the raw reads' one grain)
   * is at most config.fresh_intervals collection intervals old. Ages are in the Prometheus clock (the
   * collector's wall time), like mist_collector_interval_seconds, at every time scale.
   */
  freshness(back?: number, family?: Family): string;
  /** X kept only where the org's `family` is fresh at the raw reads (org_family:…fresh:bool1m recorded before). */
  ifFresh(expr: string, ...families: Family[]): string;
  /**
   * X, kept only in the day groups' one evaluation in hour `hourOfDay` (0: 00:00–01:00 UTC) of the day: groups
   * with a one-hour interval record once a day.
   */
  onceADay(expr: string, hourOfDay?: number): string;
  /**
   * The length a run may have at the current evaluation within the current period (hour or day), in data
   * seconds: the number of grains since the period began, this one included, × 60. An evaluation at time t belongs to the period holding
   * t − ε, so the one exactly on a boundary (promtool's) closes the period before it, as `[W − ε]` windows do.
   */
  periodSoFar(periodSeconds: number): string;
}

export function makeCtx(config: KpiConfig, options: GenerateOptions): Ctx {
  const grain = 60 * options.timeScale;
  if (!(grain >= 2 * EPSILON_SECONDS)) throw new Error(`timeScale ${options.timeScale} gives a ${grain}s grain; the rules need at least ${2 * EPSILON_SECONDS}s`);
  const hour = 60 * grain;
  const day = 24 * hour;
  const d = (seconds: number): string => duration(seconds);
  const phase = options.dayPhaseSeconds ?? 0;
  if (phase < 0 || phase >= day || phase % hour !== 0) throw new Error(`dayPhaseSeconds ${phase} must be a multiple of the hour (${hour}s) in [0, ${day})`);
  // The clock the day is read from: shifted by whole hours, so clock hours (subquery steps) still tile the day.
  const clock = phase === 0 ? 'time()' : `(time() + ${phase})`;
  const t = `(${clock} - ${EPSILON_SECONDS})`;
  const unit = DATA_GRAIN_SECONDS;
  const toData = grain === unit ? '' : ` / ${grain} * ${unit}`;
  const freshness = (back = 1, family?: Family): string => {
    const o = family ? { matchers: `family=${quote(family)}` } : {};
    const lastSuccess = lagged('mist_collector_last_success_timestamp_seconds', back * grain, o);
    const interval = lagged('mist_collector_interval_seconds', back * grain, o);
    return `time() - ${back * grain} - ${lastSuccess} <= bool ${config.fresh_intervals} * ${interval}`;
  };
  return {
    config, grain, unit, hour, day, d,
    w: (seconds) => duration(seconds - EPSILON_SECONDS),
    raw: (name, o) => lagged(name, grain, o),
    delta: (name) => counterDelta(name, grain),
    freshness,
    ifFresh: (expr, ...families) => families.reduce((acc, f) => `${acc} and on (org_id) (${R.fresh}{family=${quote(f)}} == 1)`, `(${expr})`),
    onceADay: (expr, n = 0) => `(${expr}) and on () (${n > 0 ? `${hour * n} <= ` : ''}vector(${clock} % ${day}) < ${hour * (n + 1)})`,
    periodSoFar: (period) => `(${t} % ${period} - ${t} % ${grain} + ${grain})${toData}`,
  };
}

export const rule = (record: string, expr: string, labels?: Record<string, string>): RecordingRule =>
  labels ? { record, expr: oneLine(expr), labels } : { record, expr: oneLine(expr) };
