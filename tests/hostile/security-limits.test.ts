import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HTTP_LIMITS } from '../../src/server/limits.js';
import { startExporter, type RunningExporter } from '../../src/server/exporter.js';
import { MemoryStore } from '../../src/store/memory.js';
import { collectOnce, exporterConfig } from '../support/exporter-harness.js';
import { captureLog } from '../support/redis-store.js';
import { startTestSim, type TestSim } from '../support/sim-server.js';

/**
 * The exporter's HTTP limits (src/server/limits.ts, docs/security.md) against hostile clients over real
 * sockets: oversized headers and URLs, bodies where none is taken, and a slowloris crowd (hundreds of sockets
 * trickling their headers one byte at a time) while Prometheus-like scrapes go on. The shipped limits are
 * tested as shipped (no test-only settings): the slowloris case takes the header timeout (10 s) plus a little.
 */
const BEARER = 'limits-bearer-3b8e1f0c7d2a9e64';
const AUTH = `Bearer ${BEARER}`;
/** The forms a secret could take in a log line: as text, its first 12 characters, base64, hex, and as pino writes a Buffer (a byte array). */
const forms = (secret: string): string[] => [secret, secret.slice(0, 12), Buffer.from(secret).toString('base64').slice(0, 16), Buffer.from(secret).toString('hex'), [...Buffer.from(secret)].join(',')];

/** A raw HTTP/1.1 exchange on a new socket: what came back (text) and whether the server closed it. */
function raw(port: number, payload: string | Buffer, timeoutMs = 10_000): Promise<{ text: string; closedByServer: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const parts: Buffer[] = [];
    const timer = setTimeout(() => { socket.destroy(); resolve({ text: Buffer.concat(parts).toString('latin1'), closedByServer: false }); }, timeoutMs);
    socket.on('data', (c: Buffer) => parts.push(c));
    socket.on('error', () => undefined);
    socket.on('close', () => { clearTimeout(timer); resolve({ text: Buffer.concat(parts).toString('latin1'), closedByServer: true }); });
    socket.write(payload);
  });
}

/** One scrape on its own new connection (as a restarted Prometheus, or a second one, would open). */
function scrape(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(`${url}/metrics?family=org`, { agent: false, headers: { authorization: AUTH } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(-1));
    req.setTimeout(5_000, () => req.destroy());
    req.end();
  });
}

describe('exporter HTTP limits (real sockets, 20-site simulator)', () => {
  let sim: TestSim;
  let exporter: RunningExporter;
  let port: number;
  const { log, lines } = captureLog('trace');

  beforeAll(async () => {
    sim = await startTestSim({ sites: 20 });
    const store = new MemoryStore();
    await collectOnce(sim, store, captureLog('warn').log);
    exporter = await startExporter(store, exporterConfig(sim, { EXPORTER_BEARER_TOKEN: BEARER }), log);
    port = Number(new URL(exporter.url).port);
  }, 60_000);
  afterAll(async () => {
    await exporter?.close();
    await sim?.close();
  });

  it('headers over the limit → 431 and closed; the request\'s Authorization header reaches no log line in any form', async () => {
    const big = 'x'.repeat(HTTP_LIMITS.maxHeaderBytes + 1024);
    const before = lines.length;
    const header = await raw(port, `GET /metrics HTTP/1.1\r\nHost: exporter\r\nAuthorization: ${AUTH}\r\nX-Padding: ${big}\r\n\r\n`);
    expect(header.text).toMatch(/^HTTP\/1\.1 431 /);
    expect(header.closedByServer).toBe(true);
    const url = await raw(port, `GET /metrics?family=${big} HTTP/1.1\r\nHost: exporter\r\nAuthorization: ${AUTH}\r\n\r\n`);
    expect(url.text).toMatch(/^HTTP\/1\.1 431 /);
    const garbage = await raw(port, `GET /metrics HTTP/1.1\r\nHost: exporter\r\nAuthorization: ${AUTH}\r\nBad Header\0: x\r\n\r\n`);
    expect(garbage.text).toMatch(/^HTTP\/1\.1 400 /);
    const logged = lines.slice(before);
    for (const form of forms(BEARER)) expect(logged.filter((l) => l.includes(form)), form).toEqual([]);
    expect(logged.filter((l) => l.includes('rawPacket'))).toEqual([]);
    // The refusals are logged (at trace), by code and size only.
    expect(logged.filter((l) => l.includes('client error')).length).toBeGreaterThanOrEqual(3);
    // Just under the limit is served.
    const fits = await raw(port, `GET /metrics?family=org HTTP/1.1\r\nHost: exporter\r\nAuthorization: ${AUTH}\r\nConnection: close\r\nX-Padding: ${'y'.repeat(HTTP_LIMITS.maxHeaderBytes - 256)}\r\n\r\n`);
    expect(fits.text).toMatch(/^HTTP\/1\.1 200 /);
  });

  it('a 1 MiB body is refused (413) before it is read, the body of a GET is ignored; the server keeps serving', async () => {
    const body = Buffer.alloc(1024 * 1024, 'a');
    for (const method of ['POST', 'PUT', 'GET']) {
      const res = await raw(port, Buffer.concat([Buffer.from(`${method} /metrics HTTP/1.1\r\nHost: exporter\r\nAuthorization: ${AUTH}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`), body]));
      // fastify refuses a declared length over bodyLimit before reading it; GET takes no body, so it is ignored.
      expect(res.text, method).toMatch(method === 'GET' ? /^HTTP\/1\.1 200 / : /^HTTP\/1\.1 413 /);
    }
    expect(await scrape(exporter.url)).toBe(200);
  });

  it('200 slowloris sockets (headers one byte every 500 ms), 50 silent ones and 20 kept-alive ones trickling their second request: scrapes all succeed; every slow socket gets 408 and is closed after the header timeout', async () => {
    const SLOW = 200;
    const SILENT = 50;
    const KEPT = 20;
    type Entry = { socket: Socket; kept: boolean; at: number; closedAt: number | null; text: string; timer?: NodeJS.Timeout };
    const opened: Entry[] = [];
    const line = 'X-Slowloris: keep-me-waiting-forever-'.repeat(20);
    const trickle = (entry: Entry): void => {
      entry.at = Date.now();
      entry.socket.write('GET /metrics HTTP/1.1\r\nHost: exporter\r\n');
      let next = 0;
      entry.timer = setInterval(() => { if (!entry.socket.destroyed) entry.socket.write(line[next++ % line.length]!); }, 500);
    };
    for (let i = 0; i < SLOW + SILENT + KEPT; i++) {
      const socket = connect(port, '127.0.0.1');
      const entry: Entry = { socket, kept: i >= SLOW + SILENT, at: Date.now(), closedAt: null, text: '' };
      socket.on('data', (c: Buffer) => {
        entry.text += c.toString('latin1');
        // Kept-alive: a complete first request, answered; then the next one trickles (timed from its first byte).
        if (entry.kept && entry.timer === undefined && entry.text.includes('{"status":"ok"}')) trickle(entry);
      });
      socket.on('error', () => undefined);
      socket.on('close', () => { entry.closedAt = Date.now(); clearInterval(entry.timer); });
      if (i < SLOW) trickle(entry);
      else if (entry.kept) socket.write('GET /health HTTP/1.1\r\nHost: exporter\r\n\r\n');
      opened.push(entry);
    }
    // Scrapes on new connections, one every 250 ms, until every slow socket is gone (bounded).
    const statuses: number[] = [];
    const deadline = Date.now() + HTTP_LIMITS.headersTimeoutMs + 10_000;
    while (opened.some((o) => o.closedAt === null) && Date.now() < deadline) {
      statuses.push(await scrape(exporter.url));
      await new Promise((r) => setTimeout(r, 250));
    }
    const open = opened.filter((o) => o.closedAt === null);
    for (const o of opened) { clearInterval(o.timer); o.socket.destroy(); }
    expect(open.length, 'slow sockets still open after the header timeout and 10 s').toBe(0);
    const lived = opened.map((o) => o.closedAt! - o.at);
    console.log(`slowloris: ${SLOW} trickling + ${SILENT} silent + ${KEPT} kept-alive sockets closed after ${Math.min(...lived)}-${Math.max(...lived)} ms ` +
      `(header timeout ${HTTP_LIMITS.headersTimeoutMs} ms); ${statuses.length} scrapes meanwhile, ${statuses.filter((s) => s === 200).length} answered 200`);
    expect(statuses.length).toBeGreaterThanOrEqual(10);
    expect(statuses.every((s) => s === 200)).toBe(true);
    // Closed by the header timeout, not sooner (the 500 ms trickle never let the idle timer fire).
    expect(Math.min(...lived)).toBeGreaterThanOrEqual(HTTP_LIMITS.headersTimeoutMs - 1_000);
    expect(opened.filter((o) => !o.kept).every((o) => /^HTTP\/1\.1 408 /.test(o.text))).toBe(true);
    expect(opened.filter((o) => o.kept).every((o) => /^HTTP\/1\.1 200 [\s\S]*HTTP\/1\.1 408 /.test(o.text))).toBe(true);
    expect(await scrape(exporter.url)).toBe(200);
  }, 60_000);
});
