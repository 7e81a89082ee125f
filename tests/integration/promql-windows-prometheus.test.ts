import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scrapeJob, startPrometheus, type PrometheusServer } from '../support/prometheus.js';

/**
 * A real Prometheus (2.42) evaluating recording rules over a target whose scrape takes most of its interval,
 * as a big exporter's does. Prometheus stamps a sample with the scrape's start but stores it only when the body
 * is read, so a rule evaluated while a scrape is in flight reads the sample before it; a delta recorded "now"
 * then covers the wrong interval, and a delta lagged by one scrape interval does not
 * (docs/metrics.md, "Windows and functions …"; promtool cannot show this, it has no scrapes).
 */

const SCRAPE_S = 3;
const DELAY_S = 2.4; // the target answers 2.4 s into each 3 s scrape: rules fall in flight 80 % of the time
const STEP = 6000; // the counter rises by this at every scrape (a new snapshot per scrape)
/** Closer than this to a sample's stamp or storage time, a case is not classified (scheduling jitter). */
const MARGIN_S = 0.2;

const RULES = `groups:
  - name: delta-now
    interval: 6s
    rules:
      - record: demo:bytes:delta_now
        expr: demo_bytes_total - demo_bytes_total offset 6s
  - name: delta-lagged
    interval: 6s
    rules:
      - record: demo:bytes:delta_lagged
        expr: demo_bytes_total offset 3s - demo_bytes_total offset 9s
`;

type Point = [number, number];

describe('recording deltas in a real Prometheus while scrapes are in flight', () => {
  let target: Server;
  let prom: PrometheusServer;
  let scrapes = 0;

  beforeAll(async () => {
    target = createServer((_req, res) => {
      const value = STEP * ++scrapes;
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
        res.end(`# TYPE demo_bytes_total counter\ndemo_bytes_total ${value}\n`);
      }, DELAY_S * 1000);
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const port = (target.address() as AddressInfo).port;
    prom = await startPrometheus({
      config: {
        global: { scrape_interval: `${SCRAPE_S}s`, evaluation_interval: '6s' },
        rule_files: ['rules.yml'],
        scrape_configs: [scrapeJob('demo', `127.0.0.1:${port}`, { interval: `${SCRAPE_S}s` })],
      },
      files: { 'rules.yml': RULES },
    });
    await prom.waitForTargetsUp({ timeoutMs: 30_000 });
    // Six evaluations of the lagged rule: about 40 s of data.
    await prom.waitFor('count_over_time(demo:bytes:delta_lagged[60s])', (s) => (s[0]?.value ?? 0) >= 6, 90_000);
  }, 150_000);
  afterAll(async () => {
    await prom?.stop();
    await new Promise<void>((resolve) => (target ? target.close(() => resolve()) : resolve()));
  });

  async function series(expr: string, at: number): Promise<Point[]> {
    const data = await prom.api<{ result: { values: [number, string][] }[] }>('query', { query: expr, time: String(at) });
    return (data.result[0]?.values ?? []).map(([t, v]) => [t, Number(v)]);
  }

  it('a delta lagged by one scrape interval is exact; one taken "now" reads the sample before an in-flight scrape', async () => {
    const now = Date.now() / 1000;
    const raw = await series('demo_bytes_total[5m]', now);
    const recordedNow = await series('demo:bytes:delta_now[5m]', now);
    const recordedLagged = await series('demo:bytes:delta_lagged[5m]', now);
    // Only evaluations whose whole input was stored long before this query.
    const settled = (p: Point) => p[0] < now - 2 * SCRAPE_S && p[0] > raw[0]![0] + 12;
    const near = (t: number, u: number) => Math.abs(t - u) < MARGIN_S;
    /** The value a query made now sees at time t (everything stored). */
    const at = (t: number) => raw.filter(([ts]) => ts <= t).at(-1)![1];
    /** The value a rule evaluated at t saw: only samples already stored (stamp + the target's delay). */
    const storedAt = (t: number) => raw.filter(([ts]) => ts + DELAY_S <= t).at(-1)![1];
    const ambiguous = (t: number) => raw.some(([ts]) => near(ts, t) || near(ts + DELAY_S, t));

    const lagged = recordedLagged.filter(settled).filter(([r]) => !ambiguous(r - 3) && !ambiguous(r - 9));
    expect(lagged.length).toBeGreaterThanOrEqual(4);
    for (const [r, v] of lagged) expect(v, `lagged @${r}`).toBe(at(r - 3) - at(r - 9));
    expect(new Set(lagged.map(([, v]) => v))).toEqual(new Set([2 * STEP]));

    const plain = recordedNow.filter(settled).filter(([r]) => !ambiguous(r) && !ambiguous(r - 6));
    expect(plain.length).toBeGreaterThanOrEqual(4);
    for (const [r, v] of plain) {
      const truth = at(r) - at(r - 6);
      expect(truth).toBe(2 * STEP);
      // In flight (the latest stamped sample not yet stored), the rule lost one scrape: half the increase.
      expect(v, `now @${r} (truth ${truth})`).toBe(storedAt(r) - at(r - 6));
    }
    const inFlight = plain.filter(([r]) => storedAt(r) !== at(r));
    for (const [, v] of inFlight) expect(v).toBe(STEP);
    // Which case this run shows depends on the group's hash-chosen phase; log it for the record.
    console.info(`delta-now: ${inFlight.length} of ${plain.length} evaluations in flight (recorded ${STEP} for a true ${2 * STEP})`);
  });
});
