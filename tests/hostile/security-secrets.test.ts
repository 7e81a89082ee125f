import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { connect } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenFingerprint } from '../../src/mist/fingerprint.js';
import { spawnCli, type CliProcess } from '../support/cli-process.js';
import { freePort, startRedisServer, type RedisServer } from '../support/redis.js';

/**
 * No secret leaves the pipeline: the real simulator, collector and exporter as CLI processes at LOG_LEVEL=trace
 * (JSON and text logs; `all` too), on a password-protected Redis, with three Mist tokens of which one is unknown to Mist,
 * failing Mist calls, start-up refusals, 401s, an oversized request and a wrong Redis password.
 * Then every log line, every Redis key and value, every HTTP answer (/metrics, /, /ready, /health, 401s) is
 * searched for each secret in every obvious form: whole, its first and last 12 characters, base64, hex, and
 * as a JSON byte array (how a logged Buffer looks).
 */
const secret = (label: string): string => `${label}${randomBytes(24).toString('base64url').replace(/[-_]/g, 'Q')}`;
const TOKEN_A = secret('mistA');
const TOKEN_B = secret('mistB');
const TOKEN_BAD = secret('mistX');
const TOKEN_BAD2 = secret('mistY');
const REDIS_PASSWORD = secret('redis');
const SCRAPE_TOKEN = secret('scrape');
const SECRETS = { TOKEN_A, TOKEN_B, TOKEN_BAD, TOKEN_BAD2, REDIS_PASSWORD, SCRAPE_TOKEN };

/** Every form of a secret that counts as a leak. */
function leakForms(value: string): string[] {
  const bytes = Buffer.from(value);
  return [value, value.slice(0, 12), value.slice(-12), value.slice(8, 20), bytes.toString('base64').slice(0, 16), bytes.toString('hex').slice(0, 24),
    [...bytes].slice(0, 12).join(','), encodeURIComponent(value)];
}

/** Which secret, in which form, appears where: empty when nothing leaks. */
function leaks(outputs: ReadonlyMap<string, string>): string[] {
  const found: string[] = [];
  for (const [where, text] of outputs) {
    for (const [name, value] of Object.entries(SECRETS)) {
      for (const form of leakForms(value)) if (text.includes(form)) found.push(`${name} (as ${JSON.stringify(form)}) in ${where}`);
    }
  }
  return found;
}

/** Every key of the Redis server, and its value as text, whatever its type. */
async function dumpRedis(url: string): Promise<string> {
  const redis = new Redis(url);
  try {
    const out: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        const type = await redis.type(key);
        const value = type === 'string' ? await redis.get(key)
          : type === 'hash' ? JSON.stringify(await redis.hgetall(key))
            : type === 'set' ? JSON.stringify(await redis.smembers(key))
              : type === 'list' ? JSON.stringify(await redis.lrange(key, 0, -1))
                : type === 'zset' ? JSON.stringify(await redis.zrange(key, '0', '-1', 'WITHSCORES'))
                  : type === 'stream' ? JSON.stringify(await redis.xrange(key, '-', '+'))
                    : `<${type}>`;
        out.push(`${key} = ${value}`);
      }
    } while (cursor !== '0');
    out.push(String(await redis.client('LIST')));
    return out.join('\n');
  } finally {
    redis.disconnect();
  }
}

interface Answer { status: number; text: string }
function get(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, text: `${JSON.stringify(res.headers)}\n${Buffer.concat(parts).toString('utf8')}` }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function until(check: () => Promise<boolean> | boolean, what: string, procs: Record<string, CliProcess>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    const tails = Object.entries(procs).map(([name, p]) => `--- ${name}:\n${p.lines.slice(-6).join('\n').slice(-3000)}`).join('\n');
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}\n${tails}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('no secret in logs, Redis, /metrics, errors or the landing page (CLI processes, LOG_LEVEL=trace)', () => {
  let redis: RedisServer;
  let simUrl = '';
  let exporterUrl = '';
  const procs: Record<string, CliProcess> = {};
  const outputs = new Map<string, string>();
  const redisUrl = (password: string, port: number): string => `redis://:${password}@127.0.0.1:${port}`;

  beforeAll(async () => {
    redis = await startRedisServer({ args: ['--requirepass', REDIS_PASSWORD], url: (port) => redisUrl(REDIS_PASSWORD, port) });
    const simPort = await freePort();
    procs.sim = spawnCli(['sim', '--port', String(simPort), '--sites', '20', '--warmup-minutes', '30', '--tokens', `${TOKEN_A},${TOKEN_B}`], { LOG_LEVEL: 'trace', LOG_FORMAT: 'json' });
    simUrl = (await procs.sim.waitForLine(/listening on http:\/\/\S+/, 30_000)).match(/http:\/\/127\.0\.0\.1:\d+/)![0];
    const fault = (body: unknown) => fetch(`${simUrl}/__sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const mist = { MIST_API_TOKENS: `${TOKEN_A},${TOKEN_BAD},${TOKEN_B}`, MIST_HOST: simUrl, REDIS_URL: redis.url, STORE_KEY_PREFIX: 'sec:' };
    procs.collector = spawnCli(['collector'], { ...mist, LOG_LEVEL: 'trace', LOG_FORMAT: 'json' });
    // Failures the collector logs and records, once it has started (a failing start-up measurement refuses to
    // start): 5xx past its retries (alarms) and bad JSON (events), the last families of the first round.
    await procs.collector.waitForLine(/collection planned/, 30_000);
    await fault({ kind: 'error', status: 502, match: '/alarms/search', count: 8 });
    await fault({ kind: 'malformed_json', match: '/devices/events/search', count: 8 });
    const exporterPort = await freePort();
    // The exporter gets the Mist tokens too, as from one shared .env: it must not show them either.
    procs.exporter = spawnCli(['exporter'], {
      ...mist, LOG_LEVEL: 'trace', LOG_FORMAT: 'json', EXPORTER_HOST: '127.0.0.1', EXPORTER_PORT: String(exporterPort), EXPORTER_REFRESH_SECONDS: '1', EXPORTER_BEARER_TOKEN: SCRAPE_TOKEN,
    });
    exporterUrl = (await procs.exporter.waitForLine(/serving http:\/\/\S+\/metrics/, 30_000)).match(/http:\/\/127\.0\.0\.1:\d+/)![0];
  }, 90_000);

  afterAll(async () => {
    await Promise.all(Object.values(procs).map((p) => p.kill('SIGKILL')));
    await redis?.stop();
  });

  it('runs the pipeline through failures and hostile requests, then finds no secret anywhere', async () => {
    const auth = { authorization: `Bearer ${SCRAPE_TOKEN}` };
    // Collected (wan-ports failing on its 502s), served, and the failure in the store and on the page.
    await until(async () => (await get(`${exporterUrl}/ready`)).status === 200, 'exporter ready', procs);
    await until(() => procs.collector!.lines.some((l) => l.includes('cycle failed')), 'a failed cycle logged', procs);
    await until(async () => (await get(`${exporterUrl}/`, auth)).text.includes('is failing'), 'the failure on the landing page', procs, 30_000);

    const answers: [string, string, Record<string, string>][] = [
      ['/metrics', '/metrics', auth],
      ['/metrics?family=exporter', '/metrics?family=exporter', auth],
      ['/ (signed in)', '/', auth],
      ['/ (no credentials)', '/', {}],
      ['/?login', '/?login', {}],
      ['/ready', '/ready', {}],
      ['/health', '/health', {}],
      ['/metrics 401 (none)', '/metrics', {}],
      ['/metrics 401 (a Mist token as the bearer)', '/metrics', { authorization: `Bearer ${TOKEN_A}` }],
      ['/metrics 401 (a Mist token as basic)', '/metrics', { authorization: `Basic ${Buffer.from(`prom:${TOKEN_B}`).toString('base64')}` }],
      ['/metrics 401 (Mist scheme)', '/metrics', { authorization: `Token ${TOKEN_BAD}` }],
    ];
    const statuses: Record<string, number> = {};
    for (const [name, path, headers] of answers) {
      const res = await get(`${exporterUrl}${path}`, headers);
      statuses[name] = res.status;
      outputs.set(`answer ${name}`, res.text);
    }
    expect(statuses).toMatchObject({ '/metrics': 200, '/ (signed in)': 200, '/ (no credentials)': 200, '/?login': 401, '/ready': 200, '/metrics 401 (none)': 401, '/metrics 401 (a Mist token as the bearer)': 401 });
    // An oversized request carrying credentials: refused (431) and logged at trace, without its bytes.
    const port = Number(new URL(exporterUrl).port);
    await new Promise<void>((resolve) => {
      const s = connect(port, '127.0.0.1', () => s.write(`GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${SCRAPE_TOKEN}\r\nX-Mist: ${TOKEN_A}\r\nX-Pad: ${'p'.repeat(20_000)}\r\n\r\n`));
      s.on('error', () => undefined);
      s.on('data', (c: Buffer) => outputs.set('answer 431', c.toString('latin1')));
      s.on('close', () => resolve());
    });
    expect(outputs.get('answer 431')).toMatch(/^HTTP\/1\.1 431 /);

    // Start-up refusal: no valid token (text logs), and an exporter given the wrong Redis password.
    const refused = spawnCli(['collector'], { MIST_API_TOKENS: `${TOKEN_BAD},${TOKEN_BAD2}`, MIST_HOST: simUrl, REDIS_URL: redis.url, LOG_LEVEL: 'trace', LOG_FORMAT: 'text' });
    expect(await refused.exited).toBe(2);
    outputs.set('refused collector', refused.lines.join('\n'));
    const wrongPort = await freePort();
    const wrong = spawnCli(['exporter'], { REDIS_URL: redisUrl(TOKEN_BAD2, redis.port), LOG_LEVEL: 'trace', LOG_FORMAT: 'text', EXPORTER_HOST: '127.0.0.1', EXPORTER_PORT: String(wrongPort) });
    await wrong.waitForLine(/serving http/, 30_000);
    await new Promise((r) => setTimeout(r, 1_500));
    await wrong.kill('SIGTERM');
    outputs.set('exporter with a wrong Redis password', wrong.lines.join('\n'));
    // A one-shot collection with text logs (the faults cleared: it must succeed).
    await fetch(`${simUrl}/__sim/faults`, { method: 'DELETE' });
    const once = spawnCli(['collector', '--once'], { MIST_API_TOKENS: `${TOKEN_BAD},${TOKEN_A}`, MIST_HOST: simUrl, REDIS_URL: redis.url, STORE_KEY_PREFIX: 'sec-once:', LOG_LEVEL: 'trace', LOG_FORMAT: 'text' });
    expect(await once.exited).toBe(0);
    outputs.set('collector --once (text)', once.lines.join('\n'));

    // `all`: collector and exporter in one process (one logger), the in-process store, JSON logs.
    const allPort = await freePort();
    const embedded = spawnCli(['all'], {
      MIST_API_TOKENS: `${TOKEN_BAD},${TOKEN_B}`, MIST_HOST: simUrl, LOG_LEVEL: 'trace', LOG_FORMAT: 'json',
      EXPORTER_HOST: '127.0.0.1', EXPORTER_PORT: String(allPort), EXPORTER_REFRESH_SECONDS: '1', EXPORTER_BEARER_TOKEN: SCRAPE_TOKEN,
    });
    const allUrl = `http://127.0.0.1:${allPort}`;
    await until(async () => (await get(`${allUrl}/ready`).catch(() => ({ status: 0 }))).status === 200, '`all` ready', { all: embedded });
    for (const [name, path, headers] of answers) outputs.set(`all: answer ${name}`, (await get(`${allUrl}${path}`, headers)).text);
    await embedded.kill('SIGTERM');
    outputs.set('all log', embedded.lines.join('\n'));
    expect(outputs.get('all: answer /metrics')).toContain('mist_org_info{');

    // Graceful stops log too.
    for (const name of ['collector', 'exporter', 'sim'] as const) {
      await procs[name]!.kill('SIGTERM');
      outputs.set(`${name} log`, procs[name]!.lines.join('\n'));
    }
    outputs.set('redis', await dumpRedis(redis.url));

    // The outputs are real: trace/debug lines, the rejected token by fingerprint, failures in the store, a 401.
    const all = (name: string) => outputs.get(name) ?? '';
    expect(all('collector log')).toMatch(/"level":20/);
    expect(all('exporter log')).toMatch(/"level":10/);
    expect(all('exporter with a wrong Redis password')).toMatch(/ (WARN|INFO) /);
    expect(all('collector --once (text)')).toMatch(/ DEBUG /);
    expect(all('collector log')).toContain(tokenFingerprint(TOKEN_BAD));
    expect(all('refused collector')).toMatch(/cannot start/);
    expect(all('redis')).toContain('sec:');
    expect(all('redis')).toMatch(/E_MIST_HTTP|502/);
    expect(all('answer /metrics')).toContain('mist_org_info{');
    expect(all('answer / (signed in)')).toContain('is failing');
    expect(all('answer /metrics 401 (none)')).toContain('unauthorized');
    expect(outputs.size).toBeGreaterThanOrEqual(2 * answers.length + 8);

    expect(leaks(outputs)).toEqual([]);
  }, 150_000);
});
