/**
 * Simulator benchmark: how fast a 3,208-site org is ready, and what a collector's big pages cost.
 * Run: npm run bench:sim [-- --sites N]. Prints medians and p99 of real HTTP requests over loopback.
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import { startSimulator } from '../src/sim/main.js';
import { DEMO_TOKEN, SimOptionsSchema } from '../src/sim/options.js';

const { values } = parseArgs({ options: { sites: { type: 'string', default: '3208' }, rounds: { type: 'string', default: '20' } } });
const rounds = Number(values.rounds);

const t0 = performance.now();
const sim = await startSimulator(SimOptionsSchema.parse({ sites: values.sites, port: 0 }), pino({ level: 'warn' }));
const readyMs = performance.now() - t0;
const org = sim.orgId;
const headers = { authorization: `Token ${DEMO_TOKEN}` };

async function timed(path: string): Promise<{ ms: number; bytes: number; rows: number }> {
  const start = performance.now();
  const res = await fetch(`${sim.url}${path}`, { headers });
  const text = await res.text();
  const ms = performance.now() - start;
  if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status}`);
  const body = JSON.parse(text) as unknown;
  const rows = Array.isArray(body) ? body.length : ((body as { results?: unknown[] }).results?.length ?? 0);
  return { ms, bytes: text.length, rows };
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const cases: [string, string][] = [
  ['stats/ports/search (1,000 rows)', `/api/v1/orgs/${org}/stats/ports/search?device_type=gateway&limit=1000`],
  ['stats/vpn_peers/search (1,000 rows)', `/api/v1/orgs/${org}/stats/vpn_peers/search?limit=1000`],
  ['stats/devices?type=gateway (1,000 rows)', `/api/v1/orgs/${org}/stats/devices?type=gateway&limit=1000`],
  ['insights/sites-sle (1,000 rows)', `/api/v1/orgs/${org}/insights/sites-sle?sle=wan&limit=1000&duration=1h`],
  ['sites (1,000 rows)', `/api/v1/orgs/${org}/sites?limit=1000`],
];

console.log(`simulator: ${values.sites} sites ready in ${readyMs.toFixed(0)} ms (org build + ${SimOptionsSchema.parse({}).warmupMinutes} min warm-up + listen)`);
console.log(`node ${process.version}, ${rounds} rounds per endpoint after 3 warm-up requests\n`);
console.log('endpoint'.padEnd(42), 'rows'.padStart(6), 'KiB'.padStart(8), 'p50 ms'.padStart(8), 'p99 ms'.padStart(8));
for (const [name, path] of cases) {
  for (let i = 0; i < 3; i++) await timed(path);
  const samples: { ms: number; bytes: number; rows: number }[] = [];
  for (let i = 0; i < rounds; i++) samples.push(await timed(path));
  const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
  console.log(name.padEnd(42), String(samples[0]!.rows).padStart(6), (samples[0]!.bytes / 1024).toFixed(0).padStart(8),
    pct(ms, 50).toFixed(1).padStart(8), pct(ms, 99).toFixed(1).padStart(8));
}

// A whole ports walk, following `next` as a collector does.
let next: string | undefined = `/api/v1/orgs/${org}/stats/ports/search?device_type=gateway&limit=1000`;
let pages = 0;
let rows = 0;
const walkStart = performance.now();
while (next) {
  const res = await fetch(`${sim.url}${next}`, { headers });
  const body = (await res.json()) as { results: unknown[]; next?: string };
  pages += 1;
  rows += body.results.length;
  next = body.next;
}
console.log(`\nfull ports walk: ${rows} rows in ${pages} pages, ${(performance.now() - walkStart).toFixed(0)} ms`);
console.log(`RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
await sim.close();
