import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { promisify } from 'node:util';

/**
 * Backfilled history for the rules bench, so that the trailing-hour rules read full windows from their first
 * evaluation instead of the few minutes a short run holds. The series are the recorded series a short seed run
 * of the same rules produced (same names and label sets); each gets one sample per minute (the recording grain)
 * for the `minutes` before `endSec`, its last seeded value held, non-integer values varied by up to ±5 % so that
 * chunks do not compress better than real data. promtool turns the OpenMetrics text into TSDB blocks.
 * What this is not: KPI data (the values are not the simulator's), nor history of the raw scraped series.
 */
export interface SeedSeries {
  metric: Record<string, string>;
  value: [number, string];
}

const escape = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

const fmt = (v: number): string => (Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(v));

/** Every recorded series (a name with a colon) in the Prometheus at `url`, with its current value. */
export async function recordedSeries(url: string): Promise<SeedSeries[]> {
  const res = await fetch(`${url}/api/v1/query`, { method: 'POST', body: new URLSearchParams({ query: '{__name__=~".+:.+"}' }) });
  const body = (await res.json()) as { status: string; error?: string; data?: { result: SeedSeries[] } };
  if (body.status !== 'success' || !body.data) throw new Error(`seed query failed: ${body.error}`);
  return body.data.result;
}

/** Writes the history as OpenMetrics; returns the sample count. */
export async function writeHistory(series: readonly SeedSeries[], file: string, endSec: number, minutes: number): Promise<number> {
  const out = createWriteStream(file);
  let seed = 12345;
  const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  let samples = 0;
  for (const s of series) {
    const { __name__: name, ...labels } = s.metric;
    const head = `${name}{${Object.entries(labels).map(([k, v]) => `${k}="${escape(v)}"`).join(',')}} `;
    const v = Number(s.value[1]);
    const vary = Number.isFinite(v) && !Number.isInteger(v);
    let chunk = '';
    for (let i = minutes; i >= 1; i--) {
      chunk += `${head}${fmt(vary ? v * (0.95 + 0.1 * rand()) : v)} ${endSec - i * 60}\n`;
    }
    samples += minutes;
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end('# EOF\n');
  await once(out, 'finish');
  return samples;
}

/** `promtool tsdb create-blocks-from openmetrics FILE DIR`. */
export async function createBlocks(file: string, dataDir: string): Promise<void> {
  await promisify(execFile)(process.env.PROMTOOL_BIN ?? 'promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', file, dataDir], { maxBuffer: 64 * 2 ** 20 });
}
