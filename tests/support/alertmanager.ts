import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { freePort } from './redis.js';
import { awaitReady, delay, spawnService } from './service-process.js';
import { startWebhook, type Notification as WebhookNotification } from './webhook.js';

/**
 * A real Alertmanager process for integration tests (Debian's prometheus-alertmanager 0.25;
 * scripts/ensure-test-services.sh installs it). Missing binary = failure, never a skip. Gossip is off
 * (`--cluster.listen-address=`), storage in a temp dir.
 *
 *   const hook = await startWebhook();                       // ./webhook.ts
 *   const { yaml } = testAlertmanagerConfig(shippedYaml, { url: (r) => hook.urlFor(r), timings });
 *   const am = await startAlertmanager({ config: yaml });
 *   // Prometheus: alerting: { alertmanagers: [{ static_configs: [{ targets: [am.target] }] }] }
 *   await am.post([{ labels: { alertname: 'MistSiteDown', ... } }]);    // or let Prometheus send them
 *   const alerts = await am.alerts();                        // GET /api/v2/alerts: state, inhibitedBy
 *   await am.stop(); await hook.stop();
 */

const BIN = process.env.ALERTMANAGER_BIN ?? 'prometheus-alertmanager';

export interface PostedAlert {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
}

/** An alert as GET /api/v2/alerts returns it. */
export interface AmAlert {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  fingerprint: string;
  status: { state: 'active' | 'suppressed' | 'unprocessed'; inhibitedBy: string[]; silencedBy: string[] };
  receivers: { name: string }[];
}

export interface Alertmanager {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** 127.0.0.1:PORT, for Prometheus's alerting.alertmanagers static_configs. */
  readonly target: string;
  /** The config file as written. */
  readonly configText: string;
  /** POST /api/v2/alerts (as Prometheus does). */
  post(alerts: readonly PostedAlert[]): Promise<void>;
  /** GET /api/v2/alerts: every alert Alertmanager holds, with its state and what inhibits it. */
  alerts(): Promise<AmAlert[]>;
  log(): string;
  /** SIGTERM (SIGKILL after 5 s), then removes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

/** Route timings a test may shorten (the shipped ones are seconds to hours). */
export interface RouteTimings {
  group_wait: string;
  group_interval: string;
  repeat_interval: string;
}

/** Given a timing key and the shipped value (Alertmanager's default on the root route when unset): the test's value, or undefined to keep it. */
export type TimingRewrite = (key: keyof RouteTimings, shipped: string) => string | undefined;

const TIMING_KEYS = ['group_wait', 'group_interval', 'repeat_interval'] as const;
/** Alertmanager's defaults for the root route (prometheus/alertmanager docs/configuration.md). */
const AM_DEFAULTS: RouteTimings = { group_wait: '30s', group_interval: '5m', repeat_interval: '4h' };

interface Route {
  routes?: Route[];
  [k: string]: unknown;
}

/**
 * The shipped alertmanager.yml made runnable in a test, changing only what must change:
 * - every receiver's `webhook_configs[].url` → `url(receiverName)` (the shipped ones are placeholders);
 * - route timings (given values, or a rewrite of each shipped value, e.g. scaled for a time-compressed test) on
 *   the root route and on every child route (at any depth) that sets its own.
 * Grouping, matchers, the receivers' other settings (send_resolved, …) and inhibit_rules stay as shipped. A
 * receiver with an integration other than webhooks fails here: a test must never page a real service.
 * Returns the YAML and the fields overridden (tests print them).
 */
export function testAlertmanagerConfig(shipped: string, opts: { url: (receiver: string) => string; timings?: Partial<RouteTimings> | TimingRewrite }): { yaml: string; overridden: string[] } {
  const doc = parse(shipped) as { route?: Route; receivers?: { name: string; [k: string]: unknown }[] };
  if (!doc.route || !Array.isArray(doc.receivers)) throw new Error('alertmanager.yml has no route or receivers');
  const overridden: string[] = [];
  for (const r of doc.receivers) {
    const others = Object.keys(r).filter((k) => k.endsWith('_configs') && k !== 'webhook_configs');
    if (others.length > 0) throw new Error(`receiver ${r.name} has ${others.join(', ')}: a test cannot run it`);
    for (const [i, hook] of ((r.webhook_configs as { url?: string; url_file?: string }[] | undefined) ?? []).entries()) {
      delete hook.url_file;
      hook.url = opts.url(r.name);
      overridden.push(`receivers[${r.name}].webhook_configs[${i}].url`);
    }
  }
  const rewrite: TimingRewrite = typeof opts.timings === 'function' ? opts.timings : (key) => (opts.timings as Partial<RouteTimings> | undefined)?.[key];
  const walk = (route: Route, path: string, root: boolean): void => {
    for (const key of TIMING_KEYS) {
      const own = typeof route[key] === 'string' ? route[key] : undefined;
      if (!root && own === undefined) continue;
      const shippedValue = own ?? AM_DEFAULTS[key];
      const value = rewrite(key, shippedValue);
      if (value === undefined) continue;
      route[key] = value;
      overridden.push(`${path}.${key} ${shippedValue} → ${value}`);
    }
    route.routes?.forEach((child, i) => walk(child, `${path}.routes[${i}]`, false));
  };
  walk(doc.route, 'route', true);
  return { yaml: stringify(doc), overridden };
}

/** Rewrites every webhook URL of an alertmanager.yml to `${base}/<receiver name>` and sets the given timers. */
export function pointWebhooksAt(configYaml: string, base: string, timing?: Partial<RouteTimings>): string {
  return testAlertmanagerConfig(configYaml, { url: (r) => `${base}/${r}`, ...(timing ? { timings: timing } : {}) }).yaml;
}

/** One webhook notification, flattened (the fields tests read) with the path it came to. */
export interface Notification {
  path: string;
  receiver: string;
  status: 'firing' | 'resolved';
  groupLabels: Record<string, string>;
  alerts: { status: 'firing' | 'resolved'; labels: Record<string, string>; annotations: Record<string, string> }[];
}

export interface WebhookReceiver {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly received: readonly Notification[];
  /** Waits until `accept(received)` holds (throws with what was received on timeout). */
  waitFor(accept: (received: readonly Notification[]) => boolean, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const flatten = (n: WebhookNotification): Notification => ({
  path: n.path, receiver: n.payload.receiver, status: n.payload.status, groupLabels: n.payload.groupLabels, alerts: n.payload.alerts,
});

/** The webhook receiver of ./webhook.ts, seen as the list of flattened notifications. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const hook = await startWebhook();
  const received = (): Notification[] => hook.received.map(flatten);
  return {
    url: hook.url,
    get received() {
      return received();
    },
    async waitFor(accept, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      while (!accept(received())) {
        if (Date.now() > until) throw new Error(`webhook notifications not as expected within ${timeoutMs} ms: ${JSON.stringify(received()).slice(0, 3_000)}`);
        await delay(100);
      }
    },
    stop: () => hook.stop(),
  };
}

/** Starts Alertmanager on a free loopback port, clustering off, and waits for /-/ready. */
export async function startAlertmanager(opts: { config: string; readyTimeoutMs?: number; args?: readonly string[] }): Promise<Alertmanager> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(opts);
    } catch (err) {
      // Another process may take the port between freePort() and the bind.
      if (attempt >= 3 || !(err instanceof Error) || !err.message.includes('address already in use')) throw err;
    }
  }
}

async function startOnce(opts: { config: string; readyTimeoutMs?: number; args?: readonly string[] }): Promise<Alertmanager> {
  const dir = await mkdtemp(join(tmpdir(), 'mist-alertmanager-'));
  const configFile = join(dir, 'alertmanager.yml');
  await writeFile(configFile, opts.config);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const { output, exited, stop } = spawnService(BIN, [
    `--config.file=${configFile}`,
    `--storage.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    // No gossip: it would bind 0.0.0.0:9094, which another test or person may hold.
    '--cluster.listen-address=',
    '--log.level=warn',
    ...(opts.args ?? []),
  ], dir, 'install prometheus-alertmanager');
  await awaitReady({ bin: BIN, url, port, dir, timeoutMs: opts.readyTimeoutMs ?? 20_000, exited, stop, output });
  return {
    url,
    target: `127.0.0.1:${port}`,
    configText: opts.config,
    async post(alerts) {
      const res = await fetch(`${url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
      if (!res.ok) throw new Error(`POST /api/v2/alerts: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    },
    async alerts() {
      const res = await fetch(`${url}/api/v2/alerts`);
      if (!res.ok) throw new Error(`GET /api/v2/alerts: ${res.status}`);
      return (await res.json()) as AmAlert[];
    },
    log: output,
    stop,
  };
}
