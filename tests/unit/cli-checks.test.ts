import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listening, listenProblem, mistProblem, portProblem, refuseIfAny, StartupProblems, type Listener } from '../../src/cli/checks.js';
import { loadConfig } from '../../src/config/index.js';
import { MistError, type MistErrorCode } from '../../src/mist/index.js';

const NO_FILE = join(tmpdir(), 'mist-wan-exporter-no-such-dir', '.env');
const exporterAt = (port: number): Listener => ({ what: 'exporter', host: '127.0.0.1', port, portSetting: 'EXPORTER_PORT', hostSetting: 'EXPORTER_HOST' });
const errno = (code: string): NodeJS.ErrnoException => Object.assign(new Error(code), { code });

let held: Server;
let busy: number;
beforeAll(async () => {
  held = createServer();
  await new Promise<void>((resolve) => held.listen(0, '127.0.0.1', resolve));
  busy = (held.address() as { port: number }).port;
});
afterAll(() => new Promise((resolve) => held.close(resolve)));

describe('listen problems', () => {
  it('name the port and the setting that moves it', () => {
    expect(listenProblem(errno('EADDRINUSE'), exporterAt(19730))).toBe('exporter port 19730 is already in use on 127.0.0.1: set EXPORTER_PORT to another port');
    expect(listenProblem(errno('EACCES'), exporterAt(80))).toBe('exporter port 80 needs privileges this process does not have (ports below 1024): set EXPORTER_PORT to 1024 or above');
    expect(listenProblem(errno('EADDRNOTAVAIL'), { ...exporterAt(19730), host: '10.99.0.1' }))
      .toBe('10.99.0.1 (EXPORTER_HOST) is not an address of this machine, so the exporter cannot listen on it: set EXPORTER_HOST to one (0.0.0.0: every interface)');
    expect(listenProblem(new Error('boom'), exporterAt(1))).toBeUndefined();
  });

  it('portProblem tries the port before anything starts; port 0 always works', async () => {
    expect(await portProblem(exporterAt(busy))).toBe(`exporter port ${busy} is already in use on 127.0.0.1: set EXPORTER_PORT to another port`);
    expect(await portProblem(exporterAt(0))).toBeUndefined();
  });

  it('listening turns a real failed listen (the port taken after the check) into a start-up problem', async () => {
    const server = createServer();
    const start = new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(busy, '127.0.0.1', resolve);
    });
    const err: unknown = await listening(start, exporterAt(busy)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StartupProblems);
    expect((err as StartupProblems).problems).toEqual([`exporter port ${busy} is already in use on 127.0.0.1: set EXPORTER_PORT to another port`]);
    await expect(listening(Promise.reject(new Error('other')), exporterAt(busy))).rejects.toThrow('other');
  });
});

describe('mistProblem: a Mist error at start-up as one line, host and status, never the token', () => {
  const config = loadConfig({ MIST_API_TOKEN: 'secret-token-1,secret-token-2', MIST_HOST: 'api.eu.mist.com' }, { envFile: NO_FILE });
  const problem = (code: MistErrorCode, status?: number, path?: string) => mistProblem(new MistError(code, 'x', { ...(status ? { status } : {}), ...(path ? { path } : {}) }), config);

  it.each([
    ['E_MIST_AUTH', 401, undefined, 'Mist at api.eu.mist.com rejected all 2 API tokens (HTTP 401 on /api/v1/self): check MIST_API_TOKEN, and MIST_HOST for the token\'s region'],
    ['E_MIST_FORBIDDEN', 403, '/api/v1/orgs/o1/sites?limit=1', 'Mist at api.eu.mist.com refused access (HTTP 403 on /api/v1/orgs/o1/sites): the token in MIST_API_TOKEN may not read this org; check MIST_ORG_ID'],
    ['E_MIST_RATE_LIMITED', 429, undefined, 'Mist at api.eu.mist.com rate-limited all 2 API tokens (HTTP 429): the hourly budget is spent; try again later or add tokens to MIST_API_TOKEN'],
    ['E_MIST_NETWORK', undefined, undefined, 'cannot reach Mist at api.eu.mist.com (connection failed): check MIST_HOST and the network'],
    ['E_MIST_HTTP', 502, undefined, 'Mist at api.eu.mist.com failed at start-up (HTTP 502): E_MIST_HTTP'],
  ] as const)('%s', (code, status, path, line) => {
    const text = problem(code, status, path);
    expect(text).toBe(line);
    expect(text).not.toContain('secret-token');
  });

  it('is undefined for other errors', () => {
    expect(mistProblem(new Error('x'), config)).toBeUndefined();
  });
});

describe('refuseIfAny', () => {
  it('throws every problem found, in order, and nothing when all is well', () => {
    expect(() => refuseIfAny([undefined, undefined])).not.toThrow();
    expect(() => refuseIfAny(['a', undefined, 'b'])).toThrow(new StartupProblems(['a', 'b']));
  });
});
