import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  ConfigSchema,
  ENV_VARS,
  loadConfig,
  parseEnvFile,
  redactSecrets,
  secretsOf,
} from '../../src/config/index.js';
import { runCli } from '../../src/cli/run.js';
import { SimOptionsSchema } from '../../src/sim/options.js';

const NO_FILE = join(tmpdir(), 'mist-wan-exporter-no-such-dir', '.env');
const load = (env: Record<string, string | undefined>) => loadConfig(env, { envFile: NO_FILE });

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    load(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('E_CONFIG');
    return (err as ConfigError).message.split('\n');
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('returns documented defaults when nothing is set', () => {
    expect(load({})).toEqual({
      log: { level: 'info', format: 'auto' },
      mist: { tokens: [], tokenVariable: 'MIST_API_TOKENS', baseUrl: 'https://api.mist.com', orgIds: [] },
      redis: { url: undefined, sentinel: null, waitReplicas: 0 },
      sim: { sites: 3208, seed: 'mist-wan', port: 9730, speed: 1 },
      collector: {
        rateLimitPerToken: 5000, budgetShare: 0.8, intervals: {}, concurrency: 4, lockTtlSeconds: 15,
        regions: { prefix: 'Region - ', names: [] },
        sleDegradedThreshold: 0.9,
        profile: 'full',
        circuitRoles: [
          { role: 'primary', alternatives: ['wan1', 'wan', 'mpls'] },
          { role: 'secondary', alternatives: ['wan2', 'mpls', 'lte'] },
          { role: 'tertiary', alternatives: ['wan3', 'lte'] },
        ],
        siteFilter: { include: [], exclude: [] },
      },
      store: { keyPrefix: 'mist:v1:', commandTimeoutMs: 10_000 },
      exporter: { host: '0.0.0.0', port: 19730, refreshSeconds: 5, renderHeapMb: 1024, renderTimeoutMs: 60_000, auth: { bearerToken: undefined, basic: undefined }, links: {} },
    });
  });

  it('bounds store calls and renders: fractional seconds become ms, out-of-range values are each listed', () => {
    const c = load({ STORE_COMMAND_TIMEOUT_SECONDS: '0.5', EXPORTER_RENDER_TIMEOUT_SECONDS: '2.5' });
    expect(c.store.commandTimeoutMs).toBe(500);
    expect(c.exporter.renderTimeoutMs).toBe(2500);
    const lines = problemsOf({ STORE_COMMAND_TIMEOUT_SECONDS: '0', EXPORTER_RENDER_TIMEOUT_SECONDS: 'soon' });
    expect(lines).toHaveLength(2);
    expect(lines.some((l) => l.startsWith('STORE_COMMAND_TIMEOUT_SECONDS: '))).toBe(true);
    expect(lines.some((l) => l.startsWith('EXPORTER_RENDER_TIMEOUT_SECONDS: '))).toBe(true);
  });

  it('takes the landing page\'s link targets as http(s) URLs without a trailing slash, never with credentials', () => {
    expect(load({ GRAFANA_URL: 'http://grafana:3000/', DOCS_URL: 'https://example.org/docs' }).exporter.links)
      .toEqual({ grafanaUrl: 'http://grafana:3000', docsUrl: 'https://example.org/docs' });
    const lines = problemsOf({ GRAFANA_URL: 'grafana:3000', DOCS_URL: 'https://me:pw-secret@example.org/docs' });
    expect(lines).toEqual([
      expect.stringMatching(/^GRAFANA_URL: must start with http:\/\/ or https:\/\//),
      'DOCS_URL: must not contain credentials (the landing page shows it)',
    ]);
  });

  it('parses exporter basic auth as user:password and never quotes a bad value', () => {
    expect(load({ EXPORTER_BASIC_AUTH: 'prom:pa:ss' }).exporter.auth.basic).toEqual({ user: 'prom', password: 'pa:ss' });
    const lines = problemsOf({ EXPORTER_BASIC_AUTH: 'no-colon-secret', EXPORTER_BEARER_TOKEN: 'short' });
    expect(lines).toHaveLength(2);
    expect(lines.join('\n')).not.toMatch(/no-colon-secret|short"/);
  });

  it('parses per-family intervals and rejects unknown families and too-short intervals', () => {
    expect(load({ COLLECTOR_INTERVALS: 'wan-ports=90, gateways=120' }).collector.intervals).toEqual({ 'wan-ports': 90, gateways: 120 });
    const lines = problemsOf({ COLLECTOR_INTERVALS: 'wan-ports=5,bogus=60,gateways' });
    expect(lines).toHaveLength(3);
    expect(lines.join('\n')).toMatch(/wan-ports: 5s is below the 30s minimum/);
    expect(lines.join('\n')).toMatch(/unknown family "bogus"/);
    expect(lines.join('\n')).toMatch(/entry #3 \("gateways"\) is not family=seconds/);
  });

  it('reports every problem at once, one line per variable', () => {
    const lines = problemsOf({ LOG_LEVEL: 'loud', SIM_PORT: '70000', MIST_ORG_ID: 'not-a-uuid' });
    expect(lines).toHaveLength(3);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace$/),
        expect.stringMatching(/^SIM_PORT: must be at most 65535$/),
        expect.stringMatching(/^MIST_ORG_ID: entry #1 is not a UUID$/),
      ]),
    );
  });

  it('makes the CLI print every problem and exit with code 2', async () => {
    const stderr: string[] = [];
    const code = await runCli(['sim'], {
      stdout: () => undefined,
      stderr: (text) => void stderr.push(text),
      waitForShutdown: () => Promise.resolve('SIGTERM'),
      env: { LOG_FORMAT: 'xml', SIM_SITES: 'many' },
      envFile: NO_FILE,
    });
    expect(code).toBe(2);
    expect(stderr.join('')).toMatch(/invalid configuration:\n {2}LOG_FORMAT: .*\n {2}SIM_SITES: must be a number\n$/);
  });

  it('reads the site filter terms, and lists every bad one (no kind, an unknown kind, an empty value, a bad id) with exit 2', async () => {
    const id = '4AC1DCF4-9D8B-4B2A-9E6C-7A3F5B0C1D2E';
    expect(load({ SITE_INCLUDE: `group:Region - West, name:Store 12\\, Dallas`, SITE_EXCLUDE: `id:${id}` }).collector.siteFilter).toEqual({
      include: [{ kind: 'group', value: 'Region - West' }, { kind: 'name', value: 'Store 12, Dallas' }],
      exclude: [{ kind: 'id', value: id.toLowerCase() }],
    });
    expect(problemsOf({ SITE_INCLUDE: 'Dallas*,nme:Store*', SITE_EXCLUDE: 'id:1234,group:' })).toEqual([
      'SITE_INCLUDE: term #1 "Dallas*" has no kind: write id:<site id>, name:<name glob> or group:<site group glob>',
      'SITE_INCLUDE: term #2 "nme:Store*": unknown kind "nme" (did you mean name?); kinds: id, name, group',
      'SITE_EXCLUDE: term #1 "id:1234": not a site id (a UUID such as 4ac1dcf4-9d8b-4b2a-9e6c-7a3f5b0c1d2e)',
      'SITE_EXCLUDE: term #2 "group:": nothing after "group:"',
    ]);
    const stderr: string[] = [];
    const code = await runCli(['collector', '--once'], {
      stdout: () => undefined, stderr: (text) => void stderr.push(text), waitForShutdown: () => Promise.resolve('SIGTERM'),
      env: { SITE_INCLUDE: 'region:West', SITE_EXCLUDE: 'name:' }, envFile: NO_FILE,
    });
    expect(code).toBe(2);
    expect(stderr.join('')).toMatch(/invalid configuration:\n {2}SITE_INCLUDE: term #1 "region:West": unknown kind "region"; kinds: id, name, group\n {2}SITE_EXCLUDE: term #1 "name:": nothing after "name:"\n$/);
  });

  it('never echoes tokens, even invalid ones', () => {
    const tokens = ['abc123', 'has inner-space-secret', 'good-token-123456'];
    const message = problemsOf({ MIST_API_TOKENS: tokens.join(',') }).join('\n');
    expect(message).toBe('MIST_API_TOKENS: token #1 is too short (at least 8 characters)\nMIST_API_TOKENS: token #2 contains whitespace');
    for (const token of tokens) expect(message).not.toContain(token);
  });

  it('never echoes passwords from REDIS_URL, MIST_HOST or a token pasted into MIST_ORG_ID', () => {
    const message = problemsOf({
      REDIS_URL: 'http://admin:hunter2-redis@cache:6379',
      MIST_HOST: 'https://user:hunter2-host@api.mist.com',
      MIST_ORG_ID: 'hunter2-token-in-wrong-var',
    }).join('\n');
    expect(message).toContain('REDIS_URL: must start with redis:// or rediss://');
    expect(message).toContain('MIST_HOST: must not contain credentials');
    expect(message).not.toMatch(/hunter2|admin|user/);
    expect(problemsOf({ MIST_HOST: 'user:hunter2@api.mist.com' }).join('\n')).not.toContain('hunter2');
  });

  it('accepts a REDIS_URL with a password', () => {
    expect(load({ REDIS_URL: 'rediss://:s3cret@redis:6380/1' }).redis.url).toBe('rediss://:s3cret@redis:6380/1');
  });

  it.each([
    ['api.eu.mist.com', 'https://api.eu.mist.com'],
    ['API.GC1.MIST.COM/', 'https://api.gc1.mist.com'],
    ['api.us.mist-federal.com', 'https://api.us.mist-federal.com'],
    ['http://127.0.0.1:9730/', 'http://127.0.0.1:9730'],
    ['https://proxy.example.com/mist/', 'https://proxy.example.com/mist'],
  ])('normalises MIST_HOST %s to base URL %s', (host, baseUrl) => {
    expect(load({ MIST_HOST: host }).mist.baseUrl).toBe(baseUrl);
  });

  it.each(['api.example.com', 'ftp://api.mist.com', 'https://api.mist.com/?x=1', 'http://'])('rejects MIST_HOST %s', (host) => {
    expect(problemsOf({ MIST_HOST: host })[0]).toMatch(/^MIST_HOST: /);
  });

  it('parses org ids as a trimmed, lower-cased, de-duplicated list', () => {
    const id = '6f4bf402-45f9-4a22-a1c7-8af4f4bfa0b1';
    const other = '0e2d1c3b-1111-4222-8333-944455556666';
    expect(load({ MIST_ORG_ID: ` ${id.toUpperCase()} ,${other},, ${id}` }).mist.orgIds).toEqual([id, other]);
  });

  it('trims and de-duplicates tokens; empty means demo mode', () => {
    expect(load({ MIST_API_TOKENS: ' token-aaaa , token-bbbb,token-aaaa,' }).mist.tokens).toEqual(['token-aaaa', 'token-bbbb']);
    expect(load({ MIST_API_TOKENS: '  ' }).mist.tokens).toEqual([]);
  });

  it('returns a deeply frozen config', () => {
    const config = load({ MIST_API_TOKENS: 'token-aaaa' });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.mist)).toBe(true);
    expect(Object.isFrozen(config.mist.tokens)).toBe(true);
    expect(() => ((config.log as { level: string }).level = 'trace')).toThrow(TypeError);
  });
});

describe('.env file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mist-wan-config-'));

  it('merges the file under the real environment', () => {
    const file = join(dir, 'merge.env');
    writeFileSync(file, '# local settings\nLOG_LEVEL=debug\nexport SIM_SITES="12"\nSIM_SEED=\'my seed\' # comment\nSIM_PORT=1234\n');
    const config = loadConfig({ SIM_PORT: '4321', SIM_SITES: '' }, { envFile: file });
    expect(config.log.level).toBe('debug');
    expect(config.sim).toEqual({ sites: 12, seed: 'my seed', port: 4321, speed: 1 });
  });

  it('reports malformed lines by number without their content', () => {
    const file = join(dir, 'bad.env');
    writeFileSync(file, 'LOG_LEVEL=warn\nsecret-looking-garbage\nMIST_API_TOKENS="unterminated\n');
    expect(() => loadConfig({}, { envFile: file })).toThrow(`${file} line 2: expected KEY=VALUE\n${file} line 3: expected KEY=VALUE`);
    try {
      loadConfig({}, { envFile: file });
    } catch (err) {
      expect((err as Error).message).not.toMatch(/garbage|unterminated/);
    }
  });

  it('is optional', () => {
    expect(() => loadConfig({}, { envFile: join(dir, 'missing.env') })).not.toThrow();
  });

  it('keeps # inside unquoted values and strips trailing comments', () => {
    expect(parseEnvFile('A=pa#ss\nB=x # note\nC="q # kept"\r\n').values).toEqual({ A: 'pa#ss', B: 'x', C: 'q # kept' });
  });
});

describe('variable catalogue', () => {
  const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
  const documented = new Map([...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=(.*)$/gm)].map((m) => [m[1], m[2]]));

  it('.env.example documents every variable with its default, and no other', () => {
    expect([...documented.keys()].sort()).toEqual(ENV_VARS.map((v) => v.name).sort());
    for (const v of ENV_VARS) expect(documented.get(v.name), v.name).toBe(v.default ?? '');
  });

  it('every variable is read by exactly one config section', () => {
    const read = Object.values(ConfigSchema.shape).flatMap((section) => Object.keys(section.in.shape));
    expect(read.sort()).toEqual(ENV_VARS.map((v) => v.name).sort());
  });

  it('SIM_* defaults agree with the simulator option defaults', () => {
    const defaults = SimOptionsSchema.parse({});
    expect(load({}).sim).toEqual({ sites: defaults.sites, seed: defaults.seed, port: defaults.port, speed: defaults.speed });
  });

  it('secretsOf covers every secret variable', () => {
    // A new secret variable needs a sample here, and secretsOf must then cover it.
    const samples: Record<string, { value: string; secrets: string[]; with?: Record<string, string> }> = {
      MIST_API_TOKENS: { value: 'token-one-1,token-two-2', secrets: ['token-one-1', 'token-two-2'] },
      MIST_API_TOKEN: { value: 'token-one-1,token-two-2', secrets: ['token-one-1', 'token-two-2'] },
      REDIS_URL: { value: 'redis://:p%40ss-word@redis:6379', secrets: ['p%40ss-word', 'p@ss-word'] },
      EXPORTER_BEARER_TOKEN: { value: 'bearer-token-0123456789', secrets: ['bearer-token-0123456789'] },
      EXPORTER_BASIC_AUTH: { value: 'prometheus:s3cret:with-colon', secrets: ['s3cret:with-colon'] },
      REDIS_SENTINEL_PASSWORD: { value: 'sentinel-pass-42', secrets: ['sentinel-pass-42'],
        with: { REDIS_URL: 'redis://mymaster/0', REDIS_SENTINELS: 'sentinel-1:26379', REDIS_SENTINEL_MASTER: 'mymaster' } },
    };
    for (const v of ENV_VARS.filter((x) => x.secret)) {
      const sample = samples[v.name];
      expect(sample, `sample for ${v.name}`).toBeDefined();
      const found = secretsOf(load({ ...sample?.with, [v.name]: sample?.value }));
      expect(found).toEqual(expect.arrayContaining(sample?.secrets ?? []));
    }
  });
});

describe('redactSecrets', () => {
  it('replaces every occurrence, longest secret first, and ignores empty secrets', () => {
    expect(redactSecrets('a=abc-secret b=abc-secret-long c=abc-secret', ['', 'abc-secret', 'abc-secret-long'])).toBe(
      'a=[REDACTED] b=[REDACTED] c=[REDACTED]',
    );
    expect(redactSecrets('nothing here', [''])).toBe('nothing here');
  });
});
