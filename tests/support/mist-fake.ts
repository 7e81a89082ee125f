/**
 * A fake of the Mist client's one-method HTTP seam (src/mist/transport.ts), fake time, and log capture, for the
 * mist-* unit tests. Routes answer by path (without query); /self and /self/usage have defaults.
 */
import { pino, type Logger } from 'pino';
import { createMistClient, type MistClient, type MistClientOptions } from '../../src/mist/index.js';
import { TransportFailure, type HttpRequest, type HttpResponse, type Transport, type TransportFailureKind } from '../../src/mist/transport.js';
import type { CallRecord } from '../../src/mist/types.js';

export const ORG_ID = '6f4bf402-45f9-2a56-6c8b-7f83d3bc98e9';
export const SITE_ID = '83c31971-ad70-4419-ae20-7f2b90748986';
/** 2026-09-21T10:00:00Z: the top of an hour, so budget windows are easy to reason about. */
export const T0 = Date.UTC(2026, 8, 21, 10, 0, 0);

export type Reply = HttpResponse | TransportFailure;
export type Route = (req: HttpRequest, ctx: { token: string; query: URLSearchParams; n: number }) => Reply | Promise<Reply>;

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

/** Mist's edge answers 5xx with an HTML page. */
export function html(status: number): HttpResponse {
  return { status, headers: { 'content-type': 'text/html' }, body: `<html><body><h1>${status}</h1></body></html>` };
}

export function tooMany(retryAfterSeconds?: number): HttpResponse {
  return json({ detail: 'Too Many Request' }, 429, retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) });
}

export function fail(kind: TransportFailureKind): TransportFailure {
  return new TransportFailure(kind, `simulated ${kind}`);
}

export function selfBody(orgId = ORG_ID, role = 'read'): unknown {
  return { name: 'token', privileges: [{ scope: 'org', role, org_id: orgId, org_name: 'Org' }] };
}

export class FakeTransport implements Transport {
  readonly calls: { path: string; token: string }[] = [];
  private readonly counts = new Map<string, number>();

  constructor(private readonly routes: Record<string, Route>) {}

  async request(req: HttpRequest): Promise<HttpResponse> {
    const token = (req.headers.authorization ?? '').replace(/^Token /, '');
    this.calls.push({ path: req.path, token });
    const [path = '', qs = ''] = req.path.split('?');
    const n = (this.counts.get(path) ?? 0) + 1;
    this.counts.set(path, n);
    const route = this.routes[path] ?? defaultRoutes[path];
    const reply = route ? await route(req, { token, query: new URLSearchParams(qs), n }) : json({ id: 'x' }, 404);
    if (reply instanceof TransportFailure) throw reply;
    return reply;
  }

  /** Calls to a path (without query), excluding start-up (/self, /self/usage) unless asked. */
  callsTo(path: string): { path: string; token: string }[] {
    return this.calls.filter((c) => c.path.split('?')[0] === path);
  }
}

const defaultRoutes: Record<string, Route> = {
  '/api/v1/self': () => json(selfBody()),
  '/api/v1/self/usage': () => json({ request_limit: 5000, requests: 0 }),
};

/** Fake time: `sleep` returns at once and moves `now` forward, so tests never wait. */
export function fakeTime(start = T0) {
  let t = start;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleeps,
    advance: (ms: number) => void (t += ms),
    sleep: async (ms: number, signal?: AbortSignal) => {
      if (signal?.aborted) throw signal.reason;
      sleeps.push(ms);
      t += ms;
    },
  };
}

export function captureLog(): { log: Logger; lines: string[]; text: () => string } {
  const lines: string[] = [];
  const log = pino({ level: 'trace' }, { write: (line: string) => void lines.push(line) });
  return { log, lines, text: () => lines.join('') };
}

export interface FakeSetup {
  client: MistClient;
  transport: FakeTransport;
  time: ReturnType<typeof fakeTime>;
  records: CallRecord[];
  logs: ReturnType<typeof captureLog>;
}

/** A started client over a FakeTransport, on fake time, with `random` fixed (0.5 unless given). */
export async function fakeClient(routes: Record<string, Route>, opts: Partial<MistClientOptions> = {}): Promise<FakeSetup> {
  const transport = new FakeTransport(routes);
  const time = fakeTime();
  const records: CallRecord[] = [];
  const logs = captureLog();
  const client = await createMistClient({
    baseUrl: 'https://api.mist.com', tokens: ['token-aaaaaaaa'], syncUsage: false, random: () => 0.5,
    now: time.now, sleep: time.sleep, transport, onCall: (r) => void records.push(r), ...opts,
  }, logs.log);
  return { client, transport, time, records, logs };
}

export async function collect<T>(iter: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of iter) out.push(x);
  return out;
}
