import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local HTTP receiver for Alertmanager's webhook notifications: it records every POST (path, time, payload)
 * so an end-to-end test can assert which pages arrived, on which receiver, firing or resolved.
 *
 *   const hook = await startWebhook();
 *   // alertmanager.yml: webhook_configs: [{ url: hook.urlFor('oncall') }]
 *   const page = await hook.waitFor((n) => n.path === '/oncall' && n.payload.status === 'firing', 60_000);
 *   await hook.stop();
 *
 * Payload shape: Alertmanager's webhook `Message` (version "4"; ../shared/docs/tooling-notes.md §4.3). A body
 * that is not such a message is recorded under `invalid` and answered 400, so a broken sender is seen, not lost.
 */

export interface WebhookAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

export interface WebhookPayload {
  version: string;
  groupKey: string;
  truncatedAlerts: number;
  status: 'firing' | 'resolved';
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  alerts: WebhookAlert[];
}

export interface Notification {
  /** The request path: one path per receiver lets a test tell receivers apart (e.g. /oncall, /noc). */
  path: string;
  /** Wall-clock ms when it arrived. */
  receivedAt: number;
  payload: WebhookPayload;
}

export interface WebhookServer {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** `${url}/${name}`: a receiver's URL. */
  urlFor(name: string): string;
  /** Every notification so far, in arrival order. */
  readonly received: readonly Notification[];
  /** Bodies that were not Alertmanager webhook messages. */
  readonly invalid: readonly string[];
  /** Resolves with the first notification (already received or arriving later) matching `accept`. */
  waitFor(accept: (n: Notification) => boolean, timeoutMs: number): Promise<Notification>;
  /** Every alert of every notification, flattened with the notification's path and time. */
  alerts(): (WebhookAlert & { path: string; receivedAt: number; receiver: string })[];
  stop(): Promise<void>;
}

function isPayload(body: unknown): body is WebhookPayload {
  if (typeof body !== 'object' || body === null) return false;
  const b = body as Partial<WebhookPayload>;
  return typeof b.version === 'string' && typeof b.receiver === 'string' && (b.status === 'firing' || b.status === 'resolved')
    && Array.isArray(b.alerts) && b.alerts.every((a) => typeof a === 'object' && a !== null && typeof a.labels === 'object');
}

export async function startWebhook(): Promise<WebhookServer> {
  const received: Notification[] = [];
  const invalid: string[] = [];
  const waiters = new Set<{ accept: (n: Notification) => boolean; resolve: (n: Notification) => void }>();

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      if (req.method !== 'POST' || !isPayload(body)) {
        invalid.push(`${req.method} ${req.url}: ${text.slice(0, 500)}`);
        res.writeHead(400).end();
        return;
      }
      const n: Notification = { path: (req.url ?? '/').split('?')[0]!, receivedAt: Date.now(), payload: body };
      received.push(n);
      for (const w of [...waiters]) {
        if (w.accept(n)) {
          waiters.delete(w);
          w.resolve(n);
        }
      }
      res.writeHead(200).end();
    });
  };

  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    urlFor: (name) => `${url}/${name}`,
    received,
    invalid,
    waitFor(accept, timeoutMs) {
      const already = received.find(accept);
      if (already) return Promise.resolve(already);
      return new Promise((resolve, reject) => {
        const waiter = {
          accept,
          resolve: (n: Notification) => {
            clearTimeout(timer);
            resolve(n);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          const seen = received.map((n) => `${n.path} ${n.payload.status} ${n.payload.alerts.map((a) => `${a.labels.alertname}:${a.status}`).join(',')}`);
          reject(new Error(`no matching webhook notification within ${timeoutMs} ms; received: ${seen.join(' | ') || 'none'}`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    alerts: () => received.flatMap((n) => n.payload.alerts.map((a) => ({ ...a, path: n.path, receivedAt: n.receivedAt, receiver: n.payload.receiver }))),
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
