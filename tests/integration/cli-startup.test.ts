import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { spawnCli } from '../support/cli-process.js';
import { freePort, startRedisServer, type RedisServer } from '../support/redis.js';
import { uniquePrefix } from '../support/redis-store.js';
import { startTestSim, type TestSim } from '../support/sim-server.js';

/**
 * A new user's first start-up mistakes, as they see them: the real CLI as a child process, its output and exit
 * code. Every refusal is one line (or one list), exit 2, with no stack trace and no secret.
 */

const BAD_TOKEN = 'not-a-real-token-abcdef123456';
const CLOSED_REDIS = 'redis://127.0.0.1:1';

async function run(args: string[], env: Record<string, string>): Promise<{ code: number | string; text: string; lines: string[] }> {
  const p = spawnCli(args, { LOG_LEVEL: 'warn', SIM_SITES: '10', ...env });
  const code = await p.exited;
  return { code, text: p.lines.join('\n'), lines: p.lines };
}

/** What no start-up refusal may contain: a stack frame, a fatal log record, a token. */
function expectClean(text: string, ...secrets: string[]): void {
  expect(text).not.toMatch(/\n\s+at |"stack"|"level":60|FATAL/);
  for (const secret of secrets) expect(text).not.toContain(secret);
}

let sim: TestSim;
let held: Server;
let busyPort: number;
beforeAll(async () => {
  sim = await startTestSim({ sites: 20 });
  held = createServer();
  await new Promise<void>((resolve) => held.listen(0, '0.0.0.0', resolve));
  busyPort = (held.address() as { port: number }).port;
});
afterAll(async () => {
  await sim.close();
  await new Promise((resolve) => held.close(resolve));
});

describe('start-up checks are gathered into one list (exit 2)', () => {
  it('`collector` with no token and no Redis lists both', async () => {
    const { code, text } = await run(['collector'], { REDIS_URL: CLOSED_REDIS });
    expect(code).toBe(2);
    expect(text).toContain('mist-wan-exporter collector: cannot start:\n'
      + '  REDIS_URL: cannot reach Redis at 127.0.0.1:1 (connection refused): is it running, and is the port right?\n'
      + '  MIST_API_TOKENS is empty: the collector needs at least one Mist API token (in MIST_API_TOKENS or MIST_API_TOKEN; `all` runs the simulator without one)');
    expectClean(text);
  });

  it('`collector` with neither REDIS_URL nor a token lists both', async () => {
    const { code, text } = await run(['collector'], {});
    expect(code).toBe(2);
    expect(text).toMatch(/cannot start:\n {2}REDIS_URL is not set: .*\n {2}MIST_API_TOKENS is empty: /);
  });

  it('`collector` with a rejected token and no Redis lists both, naming the Mist host and the status, never the token', async () => {
    const { code, text } = await run(['collector'], { REDIS_URL: CLOSED_REDIS, MIST_API_TOKENS: BAD_TOKEN, MIST_HOST: sim.url });
    expect(code).toBe(2);
    const host = new URL(sim.url).host;
    expect(text).toContain('  REDIS_URL: cannot reach Redis at 127.0.0.1:1 (connection refused)');
    expect(text).toContain(`  Mist at ${host} rejected the API token (HTTP 401 on /api/v1/self): check MIST_API_TOKENS, and MIST_HOST for the token's region`);
    expectClean(text, BAD_TOKEN);
  });

  it('a Redis password that is wrong is named as such, without the password', async () => {
    const redis: RedisServer = await startRedisServer({ args: ['--requirepass', 'right-password-1'], url: (port) => `redis://:right-password-1@127.0.0.1:${port}` });
    try {
      const url = `redis://:wrong-password-2@127.0.0.1:${redis.port}`;
      const { code, text } = await run(['collector'], { REDIS_URL: url, MIST_API_TOKENS: sim.token, MIST_HOST: sim.url });
      expect(code).toBe(2);
      expect(text).toContain(`mist-wan-exporter collector: cannot start: REDIS_URL: Redis at 127.0.0.1:${redis.port} refused the user name or password in REDIS_URL`);
      expectClean(text, 'wrong-password-2', sim.token);
    } finally {
      await redis.stop();
    }
  });
});

describe('a rejected token: one line naming the host and the HTTP status, exit 2', () => {
  it('`plan` (today: "FATAL plan failed" and a 20-line stack), at the default log level: no warning per token before it', async () => {
    const { code, text, lines } = await run(['plan'], { MIST_API_TOKENS: BAD_TOKEN, MIST_HOST: sim.url });
    expect(code).toBe(2);
    expect(lines).toEqual([`mist-wan-exporter plan: cannot start: Mist at ${new URL(sim.url).host} rejected the API token (HTTP 401 on /api/v1/self): check MIST_API_TOKENS, and MIST_HOST for the token's region`]);
    expectClean(text, BAD_TOKEN);
  });

  it('`collector` with Redis up: the collector\'s own token check says the same', async () => {
    const { code, text } = await run(['collector'], {
      MIST_API_TOKEN: `${BAD_TOKEN},${BAD_TOKEN}-2`, MIST_HOST: sim.url, REDIS_URL: inject('redisUrl'), STORE_KEY_PREFIX: uniquePrefix('cli-startup'),
    });
    expect(code).toBe(2);
    expect(text).toContain(`mist-wan-exporter collector: cannot start: Mist at ${new URL(sim.url).host} rejected all 2 API tokens (HTTP 401 on /api/v1/self): check MIST_API_TOKEN,`);
    expectClean(text, BAD_TOKEN);
  });
});

describe('a rejected token in `all`', () => {
  it('is the same one line, exit 2, before the exporter starts', async () => {
    const { code, text } = await run(['all'], { MIST_API_TOKENS: BAD_TOKEN, MIST_HOST: sim.url, EXPORTER_PORT: String(await freePort()), LOG_LEVEL: 'error' });
    expect(code).toBe(2);
    expect(text).toBe(`mist-wan-exporter all: cannot start: Mist at ${new URL(sim.url).host} rejected the API token (HTTP 401 on /api/v1/self): check MIST_API_TOKENS, and MIST_HOST for the token's region`);
  });
});

describe('MIST_API_TOKEN, the name Mist\'s own tools use', () => {
  it('is read like MIST_API_TOKENS: `plan` runs on it', async () => {
    const { code, text } = await run(['plan'], { MIST_API_TOKEN: sim.token, MIST_HOST: sim.url });
    expect(code).toBe(0);
    expect(text).toMatch(/1 valid token\(s\) × 5000 calls\/hour/);
  });

  it('set to different tokens than MIST_API_TOKENS is a configuration problem', async () => {
    const { code, text } = await run(['plan'], { MIST_API_TOKEN: sim.token, MIST_API_TOKENS: BAD_TOKEN, MIST_HOST: sim.url });
    expect(code).toBe(2);
    expect(text).toBe('mist-wan-exporter: invalid configuration:\n'
      + '  MIST_API_TOKEN: differs from MIST_API_TOKENS: both are set, to different tokens; set only one (the two names mean the same)');
    expectClean(text, BAD_TOKEN, sim.token);
  });
});

describe('a busy port: one line naming the port and what moves it, exit 2', () => {
  it('`exporter`: EXPORTER_PORT', async () => {
    const { code, lines } = await run(['exporter'], { REDIS_URL: inject('redisUrl'), EXPORTER_PORT: String(busyPort) });
    expect(code).toBe(2);
    expect(lines).toEqual([`mist-wan-exporter exporter: cannot start: exporter port ${busyPort} is already in use on 0.0.0.0: set EXPORTER_PORT to another port`]);
  });

  it('`sim`: --port or SIM_PORT', async () => {
    const { code, lines } = await run(['sim', '--port', String(busyPort)], {});
    expect(code).toBe(2);
    expect(lines).toEqual([`mist-wan-exporter sim: cannot start: simulator port ${busyPort} is already in use on 127.0.0.1: set --port or SIM_PORT to another port`]);
  });

  it('`all`: the exporter\'s and the simulator\'s ports, each with its variable, in one list', async () => {
    const { code, text } = await run(['all'], { EXPORTER_PORT: String(busyPort), SIM_PORT: String(busyPort) });
    expect(code).toBe(2);
    expect(text).toBe(`mist-wan-exporter all: cannot start:\n`
      + `  exporter port ${busyPort} is already in use on 0.0.0.0: set EXPORTER_PORT to another port\n`
      + `  simulator port ${busyPort} is already in use on 127.0.0.1: set SIM_PORT to another port`);
  });
});

describe('the exporter outlives a Redis that is down at start', () => {
  it('warns, serves, and answers /ready 503', async () => {
    const port = await freePort();
    const p = spawnCli(['exporter'], { REDIS_URL: CLOSED_REDIS, EXPORTER_HOST: '127.0.0.1', EXPORTER_PORT: String(port), LOG_LEVEL: 'error' });
    try {
      expect(await p.waitForLine(/warning: REDIS_URL/)).toBe('mist-wan-exporter exporter: warning: REDIS_URL: cannot reach Redis at 127.0.0.1:1 (connection refused): is it running, and is the port right?; serving anyway, /ready answers 503 until Redis answers');
      await p.waitForLine(/serving http/);
      expect((await fetch(`http://127.0.0.1:${port}/ready`)).status).toBe(503);
    } finally {
      await p.kill();
    }
  });
});

describe('configuration a new user gets wrong first', () => {
  it('an unknown variable is a warning with a did-you-mean, and the program goes on', async () => {
    const { code, lines } = await run(['plan'], { MIST_API_TOKNES: BAD_TOKEN, EXPORTER_PROT: '9000' });
    expect(code).toBe(2);
    expect(lines).toEqual([
      'mist-wan-exporter: warning: MIST_API_TOKNES is not a setting of this program and is ignored; did you mean MIST_API_TOKENS?',
      'mist-wan-exporter: warning: EXPORTER_PROT is not a setting of this program and is ignored; did you mean EXPORTER_PORT?',
      'mist-wan-exporter plan: cannot start: MIST_API_TOKENS is empty: the plan reads the org size from Mist (set MIST_API_TOKENS or MIST_API_TOKEN)',
    ]);
  });

  it('EXPORTER_HOST=999.1.1.1 and COLLECTOR_INTERVALS=wan-ports=-5 are refused, saying what is wrong', async () => {
    const { code, text } = await run(['all'], { EXPORTER_HOST: '999.1.1.1', COLLECTOR_INTERVALS: 'wan-ports=-5' });
    expect(code).toBe(2);
    expect(text).toBe('mist-wan-exporter: invalid configuration:\n'
      + '  COLLECTOR_INTERVALS: wan-ports: -5 is negative; give a whole number of seconds ≥ 30\n'
      + '  EXPORTER_HOST: "999.1.1.1" is not an IPv4 address (999 is above 255)');
  });

  it('`exporter --help` lists the variables it reads with their defaults', async () => {
    const { code, text } = await run(['exporter', '--help'], {});
    expect(code).toBe(0);
    expect(text).toMatch(/^ {2}EXPORTER_PORT +19730$/m);
    expect(text).toMatch(/^ {2}REDIS_URL +\(not set; secret\)$/m);
    expect(text).not.toContain('MIST_API_TOKENS');
  });
});
