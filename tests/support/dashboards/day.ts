import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderRuleFiles, type KpiConfig } from '../../../src/rules/index.js';
import type { GenerateOptions } from '../../../src/rules/config.js';
import type { PrometheusServer } from '../prometheus.js';

/**
 * The UTC day of a time-compressed run. The daily series are recorded once per UTC day of the Prometheus clock
 * (the day group's evaluation in 00:00–01:00, the region day group's in 01:00–02:00); at 1/30 a day is 48 wall
 * minutes. GenerateOptions.dayPhaseSeconds (test-only) shifts the day the rules read by whole (scaled) hours so a
 * midnight comes `lead` seconds after now, at a clock hour (subquery steps then still tile the day).
 */

export interface DayPhase {
  readonly dayPhaseSeconds: number;
  /** The Prometheus time (epoch seconds) the rules take for midnight. */
  readonly midnight: number;
}

export function dayPhase(nowSeconds: number, timeScale: number, leadSeconds: number): DayPhase {
  const hour = 3600 * timeScale;
  const day = 24 * hour;
  const midnight = Math.ceil((nowSeconds + leadSeconds) / hour) * hour;
  return { dayPhaseSeconds: (day - (midnight % day)) % day, midnight };
}

/**
 * Rewrites the loaded rule files with a new day phase and reloads Prometheus (needs --web.enable-lifecycle). Groups
 * keep their names and files, so their evaluation phase is unchanged; the next midnight comes `lead` after now.
 */
export async function moveMidnight(prom: PrometheusServer, kpi: KpiConfig, options: GenerateOptions, leadSeconds: number): Promise<DayPhase> {
  const phase = dayPhase(Date.now() / 1000, options.timeScale, leadSeconds);
  for (const [path, text] of renderRuleFiles(kpi, { ...options, dayPhaseSeconds: phase.dayPhaseSeconds })) await writeFile(join(prom.dir, path), text);
  const res = await fetch(`${prom.url}/-/reload`, { method: 'POST' });
  if (!res.ok) throw new Error(`Prometheus reload: ${res.status} ${await res.text()}`);
  return phase;
}
