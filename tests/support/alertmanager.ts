import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { freePort } from './redis.js';

/**
 * A real Alertmanager process (Debian's prometheus-alertmanager 0.25; scripts/ensure-test-services.sh installs
 * it) and a webhook receiver that records what it is sent. Missing binary = failure, never a skip.
 *
 *   const hook = await startWebhookReceiver();
 *   const am = await startAlertmanager({ config: pointWebhooksAt(shippedYaml, hook.url) });
 *   await am.post([{ labels: { alertname: 'MistSiteDown', ... } }]);
 *   await hook.waitFor((n) => n.some(...));
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
  fingerprint: string;
  status: { state: 'active' | 'suppressed' | 'unprocessed'; inhibitedBy: string[]; silencedBy: string[] };
  receivers: { name: string }[];
}

export interface Alertmanager {
  readonly url: string;
  post(alerts: readonly PostedAlert[]): Promise<void>;
  alerts(): Promise<AmAlert[]>;
  log(): string;
  stop(): Promise<void>;
}

/** One webhook notification (Alertmanager's webhook payload, the fields tests read) and the path it came to. */
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

/** Rewrites every webhook URL of an alertmanager.yml to `${base}/<receiver name>` (the rest stays as shipped). */
export function pointWebhooksAt(configYaml: string, base: string, timing?: { group_wait?: string; group_interval?: string }): string {
  const config = parse(configYaml) as { route: Record<string, unknown> & { routes?: Record<string, unknown>[] }; receivers: { name: string; webhook_configs?: { url: string }[] }[] };
  for (const r of config.receivers) for (const w of r.webhook_configs ?? []) w.url = `${base}/${r.name}`;
  if (timing) {
    for (const route of [config.route, ...(config.route.routes ?? [])]) {
      for (const [k, v] of Object.entries(timing)) if (k in route || route === config.route) route[k] = v;
    }
  }
  return stringify(config);
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: Notification[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      try {
        received.push({ path: req.url ?? '', ...(JSON.parse(body) as Omit<Notification, 'path'>) });
        res.writeHead(200).end();
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('webhook receiver has no port');
  const url = `http://127.0.0.1:${address.port}`;
  return {
    url,
    received,
    async waitFor(accept, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      while (!accept(received)) {
        if (Date.now() > until) throw new Error(`webhook notifications not as expected within ${timeoutMs} ms: ${JSON.stringify(received).slice(0, 3_000)}`);
        await delay(100);
      }
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Starts Alertmanager on a free loopback port, clustering off, and waits for /-/ready. */
export async function startAlertmanager(opts: { config: string; readyTimeoutMs?: number }): Promise<Alertmanager> {
  const dir = await mkdtemp(join(tmpdir(), 'mist-alertmanager-'));
  const configFile = join(dir, 'alertmanager.yml');
  await writeFile(configFile, opts.config);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(BIN, [
    `--config.file=${configFile}`,
    `--storage.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    // No gossip: it would bind 0.0.0.0:9094, which another test or person may hold.
    '--cluster.listen-address=',
    '--log.level=warn',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<Error>((resolve) => {
    child.once('error', (err) => resolve(new Error(`cannot run ${BIN} (${err.message}); install prometheus-alertmanager (scripts/ensure-test-services.sh)`)));
    child.once('exit', (code, signal) => resolve(new Error(`${BIN} exited (${code ?? signal}): ${output.slice(-1_500)}`)));
  });
  let stopped: Promise<void> | undefined;
  const stop = () => (stopped ??= stopProcess(child, dir));
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 20_000);
  for (;;) {
    const failure = await Promise.race([exited, delay(100).then(() => null)]);
    if (failure) {
      await rm(dir, { recursive: true, force: true });
      throw failure;
    }
    if (await isReady(url)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${BIN} was not ready on ${port}: ${output.slice(-1_500)}`);
    }
  }
  return {
    url,
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
