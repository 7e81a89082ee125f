import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scrapeJob, startPrometheus, type PrometheusServer } from '../support/prometheus.js';

/**
 * A real Prometheus (2.42) evaluating recording rules over a target that is still answering when a rule runs,
 * as a big exporter's slow scrape is. Prometheus stamps a sample with the scrape's start but stores it only when
 * the body has been read, so a rule evaluated while a scrape is in flight reads the sample before it; a delta
 * taken "now" then misses that scrape, and a delta lagged by one scrape interval does not
 * (docs/metrics.md, "Windows and functions …"; promtool cannot show this: it has no scrapes).
 *
 * To show it in every run (a group's phase is a hash of its name and file, so it falls inside a real scrape
 * only by chance), the target learns the rule group's phase and holds each answer until 0.4 s after the next
 * evaluation: every scrape is in flight over one evaluation, and stored before the next.
 */

const SCRAPE_S = 6;
const RULE_S = 3;
const HOLD_MS = 400;
const STEP = 6000; // the counter rises by this at every scrape (a new snapshot per scrape)
/** Closer than this to a sample's storage time, a rule may have seen it or not (scheduling jitter). */
const MARGIN_S = 0.2;

const RULES = `groups:
  - name: delta-now
    interval: ${RULE_S}s
    rules:
      - record: demo:bytes:delta_now
        expr: demo_bytes_total - demo_bytes_total offset ${SCRAPE_S}s
  - name: delta-lagged
    interval: ${RULE_S}s
    rules:
      - record: demo:bytes:delta_lagged
        expr: demo_bytes_total offset ${SCRAPE_S}s - demo_bytes_total offset ${2 * SCRAPE_S}s
`;

type Point = [number, number];

/** RFC 3339 with up to nanoseconds → epoch ms (Date.parse keeps milliseconds only). */
const epochMs = (rfc3339: string): number => Date.parse(rfc3339.replace(/\.(\d{3})\d*/, '.$1'));

describe('recording deltas in a real Prometheus while scrapes are in flight', () => {
  let target: Server;
  let prom: PrometheusServer;
  let scrapes = 0;
  let rulePhaseMs: number | undefined;
  let phaseKnownAt = Infinity;
  /** When each value's answer was sent (epoch s): Prometheus stores the sample just after. */
  const sentAt = new Map<number, number>();

  beforeAll(async () => {
    target = createServer((_req, res) => {
      const value = STEP * ++scrapes;
      const arrival = Date.now();
      let hold = 0;
      if (rulePhaseMs !== undefined) {
        const sincePhase = (((arrival - rulePhaseMs) % (RULE_S * 1000)) + RULE_S * 1000) % (RULE_S * 1000);
        hold = (sincePhase === 0 ? 0 : RULE_S * 1000 - sincePhase) + HOLD_MS;
      }
      setTimeout(() => {
        sentAt.set(value, Date.now() / 1000);
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
        res.end(`# TYPE demo_bytes_total counter\ndemo_bytes_total ${value}\n`);
      }, hold);
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const port = (target.address() as AddressInfo).port;
    prom = await startPrometheus({
      config: {
        global: { scrape_interval: `${SCRAPE_S}s`, evaluation_interval: `${RULE_S}s` },
        rule_files: ['rules.yml'],
        scrape_configs: [scrapeJob('demo', `127.0.0.1:${port}`, { interval: `${SCRAPE_S}s` })],
      },
      files: { 'rules.yml': RULES },
    });
    await prom.waitForTargetsUp({ timeoutMs: 30_000 });
    for (const until = Date.now() + 30_000; rulePhaseMs === undefined; ) {
      const { groups } = await prom.api<{ groups: { name: string; lastEvaluation: string }[] }>('rules');
      const last = groups.find((g) => g.name === 'delta-now')?.lastEvaluation;
      if (last && !last.startsWith('0001')) rulePhaseMs = epochMs(last);
      else if (Date.now() > until) throw new Error(`rule group delta-now never evaluated: ${JSON.stringify(groups)}`);
      else await new Promise((r) => setTimeout(r, 500));
    }
    phaseKnownAt = Date.now() / 1000;
    // Eight evaluations of each rule after the target knows the phase and their lookbacks are covered, plus
    // time for the last of them to be stored.
    const ready = (phaseKnownAt + 4 * SCRAPE_S + 8 * RULE_S) * 1000;
    await new Promise((r) => setTimeout(r, ready - Date.now()));
  }, 180_000);
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
    // Evaluations after the target held its answers across them, with everything stored long before now.
    const settled = (p: Point) => p[0] > phaseKnownAt + 2 * SCRAPE_S && p[0] < now - 2 * SCRAPE_S;
    const lagged = (await series('demo:bytes:delta_lagged[5m]', now)).filter(settled);
    const plain = (await series('demo:bytes:delta_now[5m]', now)).filter(settled);
    /** The latest sample stamped at or before t, as a query made now sees it (the rules compare the same stamps). */
    const latest = (t: number) => raw.filter(([ts]) => ts <= t).at(-1)!;
    const at = (t: number) => latest(t)[1];

    expect(lagged.length).toBeGreaterThanOrEqual(6);
    for (const [r, v] of lagged) expect(v, `lagged @${r}`).toBe(at(r - SCRAPE_S) - at(r - 2 * SCRAPE_S));
    expect(new Set(lagged.map(([, v]) => v))).toEqual(new Set([STEP]));

    expect(plain.length).toBeGreaterThanOrEqual(6);
    let inFlight = 0;
    for (const [r, v] of plain) {
      const truth = at(r) - at(r - SCRAPE_S);
      expect(truth, `now @${r}`).toBe(STEP);
      const [, value] = latest(r);
      const stored = sentAt.get(value)!;
      const lost = raw.filter(([ts]) => ts <= r).at(-2)![1] - at(r - SCRAPE_S); // the sample before: 0
      if (r < stored - MARGIN_S) {
        expect(v, `now @${r}: scrape in flight until ${stored}`).toBe(lost);
        inFlight++;
      } else if (r > stored + MARGIN_S) expect(v, `now @${r}: stored at ${stored}`).toBe(truth);
      else expect([lost, truth], `now @${r}: near the store time ${stored}`).toContain(v);
    }
    // The target holds every answer across one evaluation: half of them ran while a scrape was in flight.
    expect(inFlight).toBeGreaterThanOrEqual(Math.floor(plain.length / 2) - 1);
    expect(new Set(plain.map(([, v]) => v))).toEqual(new Set([0, STEP]));
  });
});
