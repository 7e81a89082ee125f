import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { Logger } from '../../src/log.js';
import { loadKpiConfig, renderRuleFiles, type KpiConfig } from '../../src/rules/index.js';
import { parseDuration } from '../../src/rules/config.js';
import { duration } from '../../src/rules/promql.js';
import { startAlertmanager, testAlertmanagerConfig, type AlertmanagerServer } from './alertmanager.js';
import { startFastPipeline, type FastPipeline } from './fast-pipeline.js';
import { startPrometheus, scrapeJob, type PrometheusServer } from './prometheus.js';
import type { SimOptions } from '../../src/sim/options.js';
import { startWebhook, type WebhookServer } from './webhook.js';

/**
 * Paging end to end, time-compressed: the fast pipeline (simulator → collector → Redis → exporter), a real
 * Prometheus scraping it and evaluating a time-compressed copy of the shipped rules and alerts (same generator,
 * same prometheus/kpi-config.yml, `timeScale`), a real Alertmanager running the shipped alertmanager.yml, and a
 * webhook receiver standing in for the on-call and NOC integrations.
 *
 * What differs from production, all by the same factor `timeScale` (wall seconds per simulated second):
 * - the rules: generated with { timeScale } (grain 60 s → 2 s at 1/30, `for: 5m` → 10 s);
 * - scrape interval 30 s (shipped) → 1 s, and Prometheus's --rules.alert.resend-delay 1m → 2 s (otherwise a
 *   firing alert is re-sent to Alertmanager only every wall minute, far longer than its compressed `for:`);
 * - collection intervals (see fast-pipeline.ts) and the simulator's speed;
 * - Alertmanager: receiver URLs → the webhook (the shipped ones are placeholders) and the route timings
 *   group_wait / group_interval / repeat_interval scaled (floor 1 s). Grouping, routing, inhibition as shipped.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface AlertingRig {
  readonly timeScale: number;
  /** The KPI config the rules were generated from (prometheus/kpi-config.yml). */
  readonly kpi: KpiConfig;
  readonly pipeline: FastPipeline;
  readonly prom: PrometheusServer;
  readonly am: AlertmanagerServer;
  readonly hook: WebhookServer;
  /** Alertmanager fields the test replaced, and the scaled route timings. */
  readonly amOverrides: { fields: string[]; timings: Record<string, string> };
  /** Wall seconds of a production duration (e.g. scaled('5m') = 10 at 1/30). */
  scaled(d: string | number): number;
  close(): Promise<void>;
}

export interface AlertingRigOptions {
  redisUrl: string;
  timeScale: number;
  log: Logger;
  sim?: Partial<SimOptions>;
}

function scaleDuration(text: string, timeScale: number): string {
  return duration(Math.max(1, Math.round(parseDuration(text) * timeScale)));
}

/** The shipped route timings (root route), so the test can scale them. */
function shippedTimings(yaml: string): { group_wait: string; group_interval: string; repeat_interval: string } {
  const route = (parse(yaml) as { route?: Record<string, string | undefined> }).route ?? {};
  // Alertmanager's own defaults when the shipped file leaves one out.
  return { group_wait: route.group_wait ?? '30s', group_interval: route.group_interval ?? '5m', repeat_interval: route.repeat_interval ?? '4h' };
}

export async function startAlertingRig(opts: AlertingRigOptions): Promise<AlertingRig> {
  const { timeScale } = opts;
  const scaled = (d: string | number): number => (typeof d === 'number' ? d : parseDuration(d)) * timeScale;
  const kpi = loadKpiConfig(`${ROOT}prometheus/kpi-config.yml`);
  const ruleFiles = Object.fromEntries(renderRuleFiles(kpi, { timeScale }));
  const shippedAm = readFileSync(`${ROOT}prometheus/alertmanager.yml`, 'utf8');
  const shipped = shippedTimings(shippedAm);
  const timings = {
    group_wait: scaleDuration(shipped.group_wait, timeScale),
    group_interval: scaleDuration(shipped.group_interval, timeScale),
    repeat_interval: scaleDuration(shipped.repeat_interval, timeScale),
  };

  const closers: (() => Promise<void>)[] = [];
  const close = async (): Promise<void> => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  };
  try {
    const hook = await startWebhook();
    closers.push(() => hook.stop());
    const { yaml, overridden } = testAlertmanagerConfig(shippedAm, { url: (r) => hook.urlFor(r), timings });
    const am = await startAlertmanager({ config: yaml });
    closers.push(() => am.stop());
    const pipeline = await startFastPipeline({ redisUrl: opts.redisUrl, timeScale, log: opts.log, ...(opts.sim ? { sim: opts.sim } : {}) });
    closers.push(() => pipeline.close());
    const scrape = scaleDuration('30s', timeScale);
    const prom = await startPrometheus({
      config: {
        global: { scrape_interval: scrape, evaluation_interval: scaleDuration('1m', timeScale) },
        rule_files: ['rules/*.yml', 'alerts/*.yml'],
        alerting: { alertmanagers: [{ static_configs: [{ targets: [am.target] }] }] },
        scrape_configs: [scrapeJob('mist-wan-exporter', pipeline.exporterTarget, { interval: scrape, timeout: scrape })],
      },
      files: ruleFiles,
      args: [`--rules.alert.resend-delay=${scaleDuration('1m', timeScale)}`],
    });
    closers.push(() => prom.stop());
    return { timeScale, kpi, pipeline, prom, am, hook, amOverrides: { fields: overridden, timings }, scaled, close };
  } catch (err) {
    await close();
    throw err;
  }
}
