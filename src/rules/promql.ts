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
