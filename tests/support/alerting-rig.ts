import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { Logger } from '../../src/log.js';
import { loadKpiConfig, renderRuleFiles, type KpiConfig } from '../../src/rules/index.js';
import { parseDuration, type GenerateOptions } from '../../src/rules/config.js';
import { duration } from '../../src/rules/promql.js';
import { startAlertmanager, testAlertmanagerConfig, type Alertmanager } from './alertmanager.js';
import { startFastPipeline, type FastPipeline } from './fast-pipeline.js';
import { startPrometheus, type PrometheusServer } from './prometheus.js';
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
 * - prometheus.yml as shipped but for its scrape targets (the test's exporter), its Alertmanager (the test's)
 *   and its intervals (scaled: scrape 30 s → 1 s), plus --rules.alert.resend-delay 1m → 2 s (Prometheus re-sends
 *   a firing alert to Alertmanager only that often: a wall minute would outlast the compressed timings);
 * - collection intervals (see fast-pipeline.ts) and the simulator's speed;
 * - Alertmanager: receiver URLs → the webhook (the shipped ones are placeholders) and the route timings
 *   group_wait / group_interval / repeat_interval, each route's own value scaled (floor 1 s). Grouping, routing,
 *   inhibition and send_resolved as shipped.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface AlertingRig {
  readonly timeScale: number;
  /** The KPI config the rules were generated from (prometheus/kpi-config.yml, changed by options.kpi if given). */
  readonly kpi: KpiConfig;
  /** The options the loaded rules were generated with ({ timeScale } unless options.generate added some). */
  readonly ruleOptions: GenerateOptions;
  readonly pipeline: FastPipeline;
  readonly prom: PrometheusServer;
  readonly am: Alertmanager;
  readonly hook: WebhookServer;
  /** The Alertmanager fields the test replaced (`path old → new` for timings). */
  readonly amOverrides: readonly string[];
  /** The prometheus.yml fields the test replaced. */
  readonly promOverrides: readonly string[];
  /** Wall seconds of a production duration (e.g. scaled('5m') = 10 at 1/30). */
  scaled(d: string | number): number;
  close(): Promise<void>;
}

export interface AlertingRigOptions {
  redisUrl: string;
  timeScale: number;
  log: Logger;
  sim?: Partial<SimOptions>;
  /** A test copy of the KPI config (after fresh_intervals 3), e.g. other chronic settings. Default: unchanged. */
  kpi?: (kpi: KpiConfig) => KpiConfig;
  /**
   * Generator options beyond timeScale (e.g. dayPhaseSeconds), computed from the wall clock (epoch seconds) just
   * before the rules are rendered and Prometheus starts, after the pipeline is up.
   */
  generate?: (nowSeconds: number) => Partial<GenerateOptions>;
  /** Extra Prometheus flags (e.g. --web.enable-lifecycle). */
  promArgs?: readonly string[];
  /** Further configuration variables of the collector and exporters (fast-pipeline.ts). */
  env?: Readonly<Record<string, string>>;
}

function scaleDuration(text: string, timeScale: number): string {
  return duration(Math.max(1, Math.round(parseDuration(text) * timeScale)));
}

interface ScrapeConfig {
  job_name: string;
  scrape_interval?: string;
  scrape_timeout?: string;
  static_configs?: { targets: string[] }[];
  [k: string]: unknown;
}

/**
 * The shipped prometheus.yml pointed at the test's exporter and Alertmanager, its intervals scaled: rule_files,
 * job names, paths and params stay as shipped. Every scrape job's targets become the test's exporter replicas
 * (two, as shipped: the rules' `max without (instance, job)` must make the repeated series harmless).
 */
function testPrometheusConfig(shipped: string, opts: { timeScale: number; alertmanager: string; exporters: readonly string[] }): { config: Record<string, unknown>; overridden: string[] } {
  const doc = parse(shipped) as { global?: Record<string, string>; alerting?: unknown; scrape_configs?: ScrapeConfig[] };
  const overridden: string[] = [];
  const scale = (owner: Record<string, unknown>, key: string, path: string): void => {
    if (typeof owner[key] !== 'string') return;
    const value = scaleDuration(owner[key], opts.timeScale);
    overridden.push(`${path}.${key} ${owner[key]} → ${value}`);
    owner[key] = value;
  };
  doc.global ??= {};
  for (const key of ['scrape_interval', 'scrape_timeout', 'evaluation_interval']) scale(doc.global, key, 'global');
  doc.alerting = { alertmanagers: [{ static_configs: [{ targets: [opts.alertmanager] }] }] };
  overridden.push(`alerting.alertmanagers → ${opts.alertmanager}`);
  for (const job of doc.scrape_configs ?? []) {
    scale(job, 'scrape_interval', `scrape_configs[${job.job_name}]`);
    scale(job, 'scrape_timeout', `scrape_configs[${job.job_name}]`);
    job.static_configs = [{ targets: [...opts.exporters] }];
    overridden.push(`scrape_configs[${job.job_name}].static_configs → ${opts.exporters.join(', ')}`);
  }
  return { config: doc, overridden };
}

export async function startAlertingRig(opts: AlertingRigOptions): Promise<AlertingRig> {
  const { timeScale } = opts;
  const scaled = (d: string | number): number => (typeof d === 'number' ? d : parseDuration(d)) * timeScale;
  // The one config change: fresh_intervals 3, as docs/kpis.md advises for a time-compressed copy (the exporter's
  // refresh and a collection's own duration do not compress, so healthy data is older in intervals).
  const shipped = { ...loadKpiConfig(`${ROOT}prometheus/kpi-config.yml`), fresh_intervals: 3 };
  const kpi = opts.kpi ? opts.kpi(shipped) : shipped;
  const shippedAm = readFileSync(`${ROOT}prometheus/alertmanager.yml`, 'utf8');

  const closers: (() => Promise<void>)[] = [];
  const close = async (): Promise<void> => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  };
  try {
    const hook = await startWebhook();
    closers.push(() => hook.stop());
    const { yaml, overridden } = testAlertmanagerConfig(shippedAm, { url: (r) => hook.urlFor(r), timings: (_key, shippedValue) => scaleDuration(shippedValue, timeScale) });
    const am = await startAlertmanager({ config: yaml });
    closers.push(() => am.stop());
    const pipeline = await startFastPipeline({ redisUrl: opts.redisUrl, timeScale, log: opts.log, exporters: 2, ...(opts.sim ? { sim: opts.sim } : {}), ...(opts.env ? { env: opts.env } : {}) });
    closers.push(() => pipeline.close());
    const ruleOptions: GenerateOptions = { ...opts.generate?.(Date.now() / 1000), timeScale };
    const ruleFiles = Object.fromEntries(renderRuleFiles(kpi, ruleOptions));
    const promConfig = testPrometheusConfig(readFileSync(`${ROOT}prometheus/prometheus.yml`, 'utf8'), { timeScale, alertmanager: am.target, exporters: pipeline.exporterTargets });
    const prom = await startPrometheus({
      config: promConfig.config,
      files: ruleFiles,
      args: [`--rules.alert.resend-delay=${scaleDuration('1m', timeScale)}`, ...(opts.promArgs ?? [])],
    });
    closers.push(() => prom.stop());
    return { timeScale, kpi, ruleOptions, pipeline, prom, am, hook, amOverrides: overridden, promOverrides: promConfig.overridden, scaled, close };
  } catch (err) {
    await close();
    throw err;
  }
}
