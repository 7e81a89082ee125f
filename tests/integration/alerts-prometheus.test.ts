import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertRuleFiles } from '../../src/rules/alerts/index.js';
import { parseKpiConfig } from '../../src/rules/config.js';
import { R } from '../../src/rules/names.js';
import { renderRuleFile } from '../../src/rules/render.js';
import { scrapeJob, startPrometheus, type PrometheusServer } from '../support/prometheus.js';

/**
 * MistSiteDown from the generated rules (time-compressed 1/60 from the same generator, with a 15m hold: grain 1 s,
 * `for:` 5 s, hold_through_unknown 15 s) in a real Prometheus rule manager, over a target whose series vanish the way an
 * expired family's do (Prometheus writes stale markers at the next scrape). promtool shows the same with
 * `stale` inputs; this shows it with real scrapes, real staleness and the real ALERTS series the gate reads.
 *   s1: down, fires; its series vanish: it keeps firing for the hold, then resolves.
 *   s2: down for ~2 s (less than `for:`), then vanishes: never fires (unknown is not down).
 *   s3: down, fires, then known up: resolves at once.
 */

const SCALE = 1 / 60;
const CONFIG = parseKpiConfig({ alerts: { hold_through_unknown: '15m' } });
const FOR_S = CONFIG.alerts.site_down_for * SCALE;
const HOLD_S = CONFIG.alerts.hold_through_unknown * SCALE;

interface PromAlert { labels: Record<string, string>; state: 'pending' | 'firing' }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('MistSiteDown in a real Prometheus: never on unknown, holds through it, resolves on recovery', () => {
  let target: Server;
  let prom: PrometheusServer;
  /** site → its down value, or absent while its data is unknown. */
  let firstScrape: number | undefined;
  const served = new Map<string, number>([['s1', 1], ['s2', 1], ['s3', 1]]);
  const info = (site: string) => `mist_site_info{org_id="o1",site_id="${site}",site_name="Site ${site}",region="EMEA",country_code="FR",timezone="UTC",latitude="0",longitude="0"} 1`;

  beforeAll(async () => {
    target = createServer((_req, res) => {
      firstScrape ??= Date.now();
      const lines = [...served].map(([site, v]) => `${R.siteDown}{org_id="o1",site_id="${site}"} ${v}`);
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(`${lines.join('\n')}\n${['s1', 's2', 's3'].map(info).join('\n')}\n`);
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const port = (target.address() as AddressInfo).port;
    const rules = renderRuleFile(alertRuleFiles(CONFIG, { timeScale: SCALE }).find((f) => f.path === 'alerts/mist-wan.yml')!);
    prom = await startPrometheus({
      config: {
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        rule_files: ['alerts.yml'],
        // The recorded series carry no instance/job (rules aggregate them away): drop the target's.
        scrape_configs: [scrapeJob('recorded', `127.0.0.1:${port}`, { extra: { metric_relabel_configs: [{ action: 'labeldrop', regex: 'instance|job' }] } })],
      },
      files: { 'alerts.yml': rules },
    });
    await prom.waitForTargetsUp({ timeoutMs: 30_000 });
  });
  afterAll(async () => {
    await prom?.stop();
    await new Promise<void>((resolve) => (target ? target.close(() => resolve()) : resolve()));
  });

  it('holds, never fires on unknown, resolves on recovery', async () => {
    const states = async (): Promise<Map<string, string>> => {
      const { alerts } = await prom.api<{ alerts: PromAlert[] }>('alerts');
      return new Map(alerts.filter((a) => a.labels.alertname === 'MistSiteDown').map((a) => [a.labels.site_id!, a.state]));
    };
    const seen = new Map<string, Set<string>>();
    const poll = async (): Promise<Map<string, string>> => {
      const now = await states();
      for (const [site, state] of now) (seen.get(site) ?? seen.set(site, new Set()).get(site)!).add(state);
      return now;
    };
    const waitUntil = async (what: string, accept: (s: Map<string, string>) => boolean, timeoutS: number): Promise<number> => {
      const start = Date.now();
      for (;;) {
        const s = await poll();
        if (accept(s)) return (Date.now() - start) / 1000;
        if (Date.now() - start > timeoutS * 1000) throw new Error(`${what} not within ${timeoutS} s: ${JSON.stringify([...s])}\n${prom.log().slice(-1_000)}`);
        await sleep(200);
      }
    };

    // s2 is seen pending, then its data goes unknown before `for:` is reached.
    await waitUntil('s2 pending', (s) => s.get('s2') === 'pending', 10);
    served.delete('s2');
    const firedAfter = await waitUntil('s1 and s3 firing', (s) => s.get('s1') === 'firing' && s.get('s3') === 'firing', 20);
    expect(firedAfter).toBeGreaterThan(0);
    // Not before `for:` has passed since the first down sample.
    expect((Date.now() - firstScrape!) / 1000).toBeGreaterThanOrEqual(FOR_S);
    expect((await states()).has('s2')).toBe(false);

    // s3 recovers (a known 0): resolved within a few evaluations. s1's data goes unknown: it holds.
    served.set('s3', 0);
    served.delete('s1');
    const vanished = Date.now();
    await waitUntil('s3 resolved', (s) => !s.has('s3'), 5);
    await sleep((HOLD_S - 5) * 1000);
    expect((await poll()).get('s1'), 's1 holds through unknown data').toBe('firing');
    const resolvedAfter = (Date.now() - vanished) / 1000 + await waitUntil('s1 resolved after the hold', (s) => !s.has('s1'), 15);
    // The last sample before the gap is at most one scrape (1 s) before the series vanished.
    expect(resolvedAfter).toBeGreaterThan(HOLD_S - 2);
    expect(resolvedAfter).toBeLessThan(HOLD_S + 5);
    expect([...(seen.get('s2') ?? [])]).toEqual(['pending']);
    expect([FOR_S, HOLD_S]).toEqual([5, 15]);
    process.stdout.write(`MistSiteDown in Prometheus: resolved ${resolvedAfter.toFixed(1)} s after its data vanished (hold ${HOLD_S} s)\n`);
  }, 90_000);
});
