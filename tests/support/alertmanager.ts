import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { freePort } from './redis.js';

/**
 * A real Alertmanager process for integration tests (Debian's 0.25 binary, /usr/bin/prometheus-alertmanager;
 * scripts/ensure-test-services.sh installs it). Missing binary = failure, never a skip. Gossip is off
 * (`--cluster.listen-address=`), storage in a temp dir.
 *
 *   const am = await startAlertmanager({ config: testAlertmanagerConfig(shippedYaml, { url: (r) => hook.urlFor(r) }) });
 *   // prometheus.yml: alerting: { alertmanagers: [{ static_configs: [{ targets: [am.target] }] }] }
 *   const alerts = await am.alerts();       // GET /api/v2/alerts (active, silenced, inhibited, unprocessed)
 *   await am.stop();
 */

export type AlertmanagerConfig = Record<string, unknown> | string;

export interface AlertmanagerOptions {
  config: AlertmanagerConfig;
  /** How long to wait for /-/ready (default 20 s). */
  readyTimeoutMs?: number;
  args?: readonly string[];
}

/** An alert as GET /api/v2/alerts returns it. */
export interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  fingerprint: string;
  receivers: { name: string }[];
  status: { state: 'active' | 'suppressed' | 'unprocessed'; inhibitedBy: string[]; silencedBy: string[] };
}

export interface AlertmanagerServer {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** 127.0.0.1:PORT, for Prometheus's alerting.alertmanagers static_configs. */
  readonly target: string;
  readonly port: number;
  readonly dir: string;
  /** The config file as written (YAML). */
  readonly configText: string;
  /** GET /api/v2/alerts: every alert Alertmanager holds, with its state and what inhibits it. */
  alerts(): Promise<AmAlert[]>;
  /** Alertmanager's own log so far. */
  log(): string;
  /** SIGTERM (SIGKILL after 5 s), then removes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

const BIN = process.env.ALERTMANAGER_BIN ?? '/usr/bin/prometheus-alertmanager';

/** Route timings a test may shorten (the shipped ones are minutes). */
export interface RouteTimings {
  group_wait: string;
  group_interval: string;
  repeat_interval: string;
}

interface Route {
  receiver?: string;
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  routes?: Route[];
  [k: string]: unknown;
}

/**
 * The shipped alertmanager.yml made runnable in a test, changing only what must change:
 * - every receiver's `webhook_configs[].url` → `url(receiverName)` (the placeholder URLs point nowhere);
 * - `group_wait`, `group_interval`, `repeat_interval` → `timings`, on the root route and on every child route
 *   that sets its own (so a test sees a page in seconds, not minutes).
 * Grouping, matchers, receivers' other settings (send_resolved, …) and inhibit_rules are kept as shipped.
 * A receiver with any integration other than webhooks fails here: a test must never page a real service.
 * Returns the YAML text and the list of fields overridden (for the test's output).
 */
export function testAlertmanagerConfig(shipped: string, opts: { url: (receiver: string) => string; timings: RouteTimings }): { yaml: string; overridden: string[] } {
  const doc = parse(shipped) as { route?: Route; receivers?: { name: string; [k: string]: unknown }[] };
  if (!doc.route || !Array.isArray(doc.receivers)) throw new Error('alertmanager.yml has no route or receivers');
  const overridden: string[] = [];
  for (const r of doc.receivers) {
    const others = Object.keys(r).filter((k) => k.endsWith('_configs') && k !== 'webhook_configs');
    if (others.length > 0) throw new Error(`receiver ${r.name} has ${others.join(', ')}: a test cannot run it`);
    const hooks = r.webhook_configs as { url?: string; url_file?: string }[] | undefined;
    for (const [i, h] of (hooks ?? []).entries()) {
      delete h.url_file;
      h.url = opts.url(r.name);
      overridden.push(`receivers[${r.name}].webhook_configs[${i}].url`);
    }
  }
  const walk = (route: Route, path: string, root: boolean): void => {
    for (const key of ['group_wait', 'group_interval', 'repeat_interval'] as const) {
      if (root || route[key] !== undefined) {
        route[key] = opts.timings[key];
        overridden.push(`${path}.${key}`);
      }
    }
    route.routes?.forEach((child, i) => walk(child, `${path}.routes[${i}]`, false));
  };
  walk(doc.route, 'route', true);
  return { yaml: stringify(doc), overridden };
}

export async function startAlertmanager(opts: AlertmanagerOptions): Promise<AlertmanagerServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(opts);
    } catch (err) {
      // Another process may take the port between freePort() and the bind.
      if (attempt >= 3 || !(err instanceof Error) || !err.message.includes('address already in use')) throw err;
    }
  }
}

async function startOnce(opts: AlertmanagerOptions): Promise<AlertmanagerServer> {
  const dir = await mkdtemp(join(tmpdir(), 'mist-alertmanager-'));
  const configFile = join(dir, 'alertmanager.yml');
  const configText = typeof opts.config === 'string' ? opts.config : stringify(opts.config);
  await writeFile(configFile, configText);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(BIN, [
    `--config.file=${configFile}`,
    `--storage.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--cluster.listen-address=',
    '--log.level=info',
    ...(opts.args ?? []),
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-50_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<Error>((resolve) => {
    child.once('error', (err) => resolve(new Error(`cannot run ${BIN} (${err.message}); install prometheus-alertmanager (scripts/ensure-test-services.sh)`)));
    child.once('exit', (code, signal) => resolve(new Error(`${BIN} exited (${code ?? signal}): ${output.slice(-1_500)}`)));
  });
  let stopped: Promise<void> | undefined;
  const stop = () => (stopped ??= stopProcess(child, dir));

  const timeout = opts.readyTimeoutMs ?? 20_000;
  const deadline = Date.now() + timeout;
  for (;;) {
    const failure = await Promise.race([exited, delay(100).then(() => null)]);
    if (failure) {
      await rm(dir, { recursive: true, force: true });
      throw failure;
    }
    if (await isReady(url)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${BIN} was not ready on ${port} within ${timeout} ms: ${output.slice(-1_500)}`);
    }
  }

  return {
    url,
    target: `127.0.0.1:${port}`,
    port,
    dir,
    configText,
    async alerts() {
      const res = await fetch(`${url}/api/v2/alerts`);
      if (!res.ok) throw new Error(`Alertmanager /api/v2/alerts: HTTP ${res.status}`);
      return (await res.json()) as AmAlert[];
    },
    log: () => output,
    stop,
  };
}

async function isReady(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1_000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

async function stopProcess(child: ChildProcess, dir: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await gone;
    clearTimeout(timer);
  }
  await rm(dir, { recursive: true, force: true });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
