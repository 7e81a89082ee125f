import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, ENV_VARS, loadConfig, MIST_HOSTS, type EnvName } from '../../src/config/index.js';
import { FAMILY_NAMES } from '../../src/families/registry.js';
import { spawnCli } from '../support/cli-process.js';

/**
 * Bad input, configuration: every variable of ENV_VARS with wrong types, ranges and combinations. The table is
 * keyed by EnvName (a Record, so a new variable without a row fails the type check, and a test compares its keys
 * with ENV_VARS at run time too). Each bad value must give exactly its one clear line "NAME: what is wrong",
 * never quoting a secret; all of them at once give every line at once; the real CLI exits 2 printing them.
 * tests/unit/config*.test.ts hold the parsers' finer cases (intervals, hosts, .env syntax): not repeated here.
 */

const NO_FILE = join(tmpdir(), 'mist-wan-exporter-no-such-dir', '.env');
const dir = mkdtempSync(join(tmpdir(), 'input-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Bad {
  readonly value: string;
  /** The whole problem line after "NAME: ". */
  readonly message: string;
}

interface Row {
  /** Wrong values with the one problem line each gives. Empty only for free text, with `free` saying why. */
  readonly bad: readonly Bad[];
  /** Why no value can be wrong (free text): then odd values must be accepted as written. */
  readonly free?: string;
  /** Odd but valid values: must be accepted (no problem). */
  readonly good?: readonly string[];
}

const FAMILIES = FAMILY_NAMES.join(', ');
const intOutOf = (min: number, max: number): Bad[] => [
  { value: String(min - 1), message: `must be at least ${min}` },
  { value: String(max + 1), message: `must be at most ${max}` },
  { value: `${min + 0.5}`, message: 'must be an integer' },
  { value: 'lots', message: 'must be a number' },
];
const numOutOf = (min: number, max: number): Bad[] => [
  { value: String(min / 2), message: `must be at least ${min}` },
  { value: String(max + 1), message: `must be at most ${max}` },
  { value: '5s', message: 'must be a number' },
  { value: 'Infinity', message: 'must be a number' },
];

const TABLE: Record<EnvName, Row> = {
  LOG_LEVEL: { bad: [{ value: 'loud', message: 'must be one of fatal, error, warn, info, debug, trace' }, { value: 'INFO', message: 'must be one of fatal, error, warn, info, debug, trace' }] },
  LOG_FORMAT: { bad: [{ value: 'xml', message: 'must be one of auto, json, text, pretty' }], good: ['pretty'] },
  MIST_API_TOKENS: {
    bad: [
      { value: 'short', message: 'token #1 is too short (at least 8 characters)' },
      { value: 'token-good-1111,has space-secret-x', message: 'token #2 contains whitespace' },
    ],
    good: [' token-aaaa , token-aaaa ,'],
  },
  MIST_API_TOKEN: {
    bad: [
      { value: 'short', message: 'token #1 is too short (at least 8 characters)' },
      { value: 'tab\tsecret-token-x', message: 'token #1 contains whitespace' },
    ],
  },
  MIST_HOST: {
    bad: [
      { value: 'api.example.com', message: `"api.example.com" is not a Mist API host; use one of ${MIST_HOSTS.join(', ')} or a full http(s):// URL` },
      { value: 'ftp://api.mist.com', message: 'must start with http:// or https://' },
      { value: 'https://api.mist.com/#frag', message: 'must not contain a query or fragment' },
      { value: 'https://user:pw-secret-host@api.mist.com', message: 'must not contain credentials (tokens go in MIST_API_TOKENS)' },
    ],
    good: ['API.EU.MIST.COM///'],
  },
  MIST_ORG_ID: {
    bad: [
      { value: 'not-a-uuid', message: 'entry #1 is not a UUID' },
      { value: '6f4bf402-45f9-4a22-a1c7-8af4f4bfa0b1,["x"]', message: 'entry #2 is not a UUID' },
    ],
  },
  REDIS_URL: {
    bad: [
      { value: 'http://admin:pw-secret-redis@cache:6379', message: 'must start with redis:// or rediss://' },
      { value: 'localhost:6379', message: 'must start with redis:// or rediss://' },
      { value: 'not a url at all', message: 'is not a valid URL' },
    ],
  },
  REDIS_SENTINELS: {
    bad: [
      { value: 'sentinel-1:26379,bad host', message: 'entry #2 is not host:port (IPv6 addresses in brackets: [::1]:26379)' },
      { value: 's1:70000', message: 'entry #1 "s1:70000" has a port outside 1-65535' },
      { value: '[not-v6]:26379', message: 'entry #1 "[not-v6]:26379" is not host:port (IPv6 addresses in brackets: [::1]:26379)' },
      { value: ':pw-secret-sentinel@s1:26379', message: 'entry #1 is not host:port (IPv6 addresses in brackets: [::1]:26379)' },
      // Alone it is a combination problem: the master name and REDIS_URL are missing (tests/unit/store-sentinel-config.test.ts).
    ],
  },
  REDIS_SENTINEL_MASTER: {
    bad: [
      { value: 'my master', message: 'letters, digits and . _ - only (the name in `sentinel monitor <name> …`)' },
      { value: 'mymaster', message: 'is set but REDIS_SENTINELS is not: list the Sentinels (host:port,…) or unset it' },
    ],
  },
  REDIS_SENTINEL_PASSWORD: { bad: [], free: 'any text is a password (set without REDIS_SENTINELS it is refused: a combination, tests/unit/store-sentinel-config.test.ts)' },
  REDIS_WAIT_REPLICAS: { bad: intOutOf(0, 16) },
  SIM_SITES: { bad: intOutOf(1, 50_000) },
  SIM_SEED: { bad: [], free: 'any text seeds the simulated org; empty means the default', good: ['🌍 "quoted" \\ seed'] },
  SIM_PORT: { bad: intOutOf(0, 65_535) },
  SIM_SPEED: { bad: [{ value: '0', message: 'must be greater than 0' }, { value: '10001', message: 'must be at most 10000' }, { value: 'fast', message: 'must be a number' }] },
  MIST_RATE_LIMIT: { bad: intOutOf(1, 1_000_000) },
  MIST_BUDGET_SHARE: { bad: [...numOutOf(0.05, 1), { value: '80%', message: 'must be a number' }] },
  COLLECTOR_INTERVALS: {
    bad: [
      { value: 'bogus=60', message: `unknown family "bogus" (families: ${FAMILIES})` },
      { value: `${FAMILY_NAMES[0]}=1h`, message: `${FAMILY_NAMES[0]}: "1h" has a unit (1h = 3600 seconds); give a whole number of seconds ≥ 30` },
    ],
  },
  COLLECTOR_PROFILE: { bad: [{ value: 'minimal', message: 'must be one of availability, standard, full' }, { value: 'Full', message: 'must be one of availability, standard, full' }] },
  COLLECTOR_CONCURRENCY: { bad: intOutOf(1, 32) },
  COLLECTOR_LOCK_TTL_SECONDS: { bad: intOutOf(3, 600) },
  REGION_GROUP_PREFIX: { bad: [], free: 'any text can start a site group name', good: ['"Région" \\ '] },
  REGION_GROUPS: { bad: [], free: 'site group names are free text', good: ['West,East ☃,West'] },
  CIRCUIT_ROLES: {
    bad: [
      { value: 'primary', message: 'entry #1 "primary": expected role=name|name…' },
      { value: 'primary=wan1,Backup=lte', message: 'entry #2: role "Backup" must be lowercase letters, digits and _ (starting with a letter)' },
      { value: 'primary=wan 1', message: 'entry #1 (primary): each alternative must be a non-empty wan_name or port_id without spaces, ",", "|" or "="' },
      { value: 'primary=wan1|', message: 'entry #1 (primary): each alternative must be a non-empty wan_name or port_id without spaces, ",", "|" or "="' },
    ],
    good: ['none', 'NONE', 'backup=lte*'],
  },
  SLE_DEGRADED_THRESHOLD: {
    bad: [
      { value: '0', message: 'must be greater than 0' },
      { value: '90', message: 'must be at most 1' },
      { value: '90%', message: 'must be a number' },
    ],
  },
  CIRCUIT_INVENTORY_FILE: {
    bad: [
      { value: 'circuits.txt', message: '"circuits.txt" must end in .csv, .yaml or .yml (the extension chooses the format)' },
      { value: '/etc/inventory.json', message: '"/etc/inventory.json" must end in .csv, .yaml or .yml (the extension chooses the format)' },
    ],
    good: ['C:\\inventory\\Circuits.CSV'],
  },
  SITE_INCLUDE: {
    bad: [
      { value: 'Store*', message: 'term #1 "Store*" has no kind: write id:<site id>, name:<name glob> or group:<site group glob>' },
      { value: 'name:DC*,nme:Store*', message: 'term #2 "nme:Store*": unknown kind "nme" (did you mean name?); kinds: id, name, group' },
      { value: 'id:12345', message: 'term #1 "id:12345": not a site id (a UUID such as 4ac1dcf4-9d8b-4b2a-9e6c-7a3f5b0c1d2e)' },
    ],
    good: ['name:Store 12\\, Dallas ☃', ' GROUP:Region - West ,,', 'name:*'],
  },
  SITE_EXCLUDE: {
    bad: [
      { value: 'group:', message: 'term #1 "group:": nothing after "group:"' },
      { value: 'name:Lab\\', message: 'term #1 "name:Lab\\\\": ends in a lone "\\" (write \\\\ for a backslash)' },
    ],
    good: ['id:4AC1DCF4-9D8B-4B2A-9E6C-7A3F5B0C1D2E'],
  },
  STORE_KEY_PREFIX: {
    bad: [
      { value: 'mist v1', message: 'letters, digits and : . _ - only' },
      { value: 'x'.repeat(65), message: 'must have at most 64 characters' },
      { value: 'mist:{v1}:', message: 'letters, digits and : . _ - only' },
    ],
  },
  STORE_COMMAND_TIMEOUT_SECONDS: { bad: numOutOf(0.1, 300) },
  EXPORTER_HOST: {
    bad: [
      { value: '999.1.1.1', message: '"999.1.1.1" is not an IPv4 address (999 is above 255)' },
      { value: 'http://0.0.0.0', message: 'is not an address: give an IP address or host name without a scheme (no http://)' },
    ],
  },
  EXPORTER_PORT: { bad: intOutOf(0, 65_535) },
  EXPORTER_REFRESH_SECONDS: { bad: numOutOf(1, 300) },
  EXPORTER_RENDER_HEAP_MB: { bad: intOutOf(128, 65_536) },
  EXPORTER_RENDER_TIMEOUT_SECONDS: { bad: numOutOf(1, 3600) },
  EXPORTER_BEARER_TOKEN: { bad: [{ value: 'short-secret', message: 'must have at least 16 characters' }] },
  EXPORTER_BASIC_AUTH: {
    bad: [
      { value: 'nocolon-secret', message: 'must be user:password (both non-empty)' },
      { value: ':pw-secret-only', message: 'must be user:password (both non-empty)' },
      { value: 'prometheus:', message: 'must be user:password (both non-empty)' },
    ],
    good: ['prom:pa:ss:word'],
  },
  GRAFANA_URL: {
    bad: [
      { value: 'grafana:3000', message: 'must start with http:// or https://' },
      { value: 'https://admin:pw-secret-grafana@grafana', message: 'must not contain credentials (the landing page shows it)' },
    ],
  },
  DOCS_URL: {
    bad: [
      { value: 'docs/', message: 'is not a valid URL' },
      { value: 'file:///srv/docs', message: 'must start with http:// or https://' },
    ],
  },
};

const SECRET: ReadonlySet<string> = new Set(ENV_VARS.filter((v) => v.secret).map((v) => v.name));

function problemsOf(env: Record<string, string>, envFile = NO_FILE): readonly string[] {
  try {
    loadConfig(env, { envFile });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  return [];
}

/** Parts of a secret bad value long enough to be recognisable: none may appear in any message. */
const secretParts = (value: string): string[] => [value, ...value.split(/[\s:@/,\t]+/)].filter((p) => p.length >= 6);

describe('every configuration variable has bad values with a clear message (table from ENV_VARS)', () => {
  it('the table has exactly one row per variable of ENV_VARS, and every non-free variable at least one bad value', () => {
    expect(Object.keys(TABLE).sort()).toEqual(ENV_VARS.map((v) => v.name).sort());
    for (const [name, row] of Object.entries(TABLE)) {
      expect(row.bad.length > 0 || row.free !== undefined, `${name} needs a bad value, or a reason it is free text`).toBe(true);
    }
    const cases = Object.values(TABLE).reduce((n, r) => n + r.bad.length, 0);
    expect(cases).toBeGreaterThanOrEqual(70);
  });

  const cases = ENV_VARS.flatMap((v) => TABLE[v.name].bad.map((b) => [v.name, b.value, b.message] as const));
  it.each(cases)('%s=%j → exactly one line, "%s: %s"', (name, value, message) => {
    const problems = problemsOf({ [name]: value });
    expect(problems).toEqual([`${name}: ${message}`]);
    if (SECRET.has(name)) for (const part of secretParts(value)) expect(problems.join('\n')).not.toContain(part);
  });

  it.each(ENV_VARS.map((v) => [v.name]))('%s: empty or blank means unset (its default), never an error', (name) => {
    expect(problemsOf({ [name]: '' })).toEqual([]);
    expect(problemsOf({ [name]: ' \t ' })).toEqual([]);
  });

  const good = ENV_VARS.flatMap((v) => (TABLE[v.name].good ?? []).map((g) => [v.name, g] as const));
  it.each(good)('%s=%j is odd but valid: accepted', (name, value) => {
    expect(problemsOf({ [name]: value })).toEqual([]);
  });
});

/** The first bad value of every variable, all set at once (both token variables share one, so they do not conflict). */
function everyBadAtOnce(): { env: Record<string, string>; lines: string[] } {
  const env: Record<string, string> = {};
  const lines: string[] = [];
  for (const v of ENV_VARS) {
    const first = TABLE[v.name].bad[0];
    if (!first) continue;
    env[v.name] = first.value;
    lines.push(`${v.name}: ${first.message}`);
  }
  return { env, lines };
}

describe('combinations', () => {
  it('every variable wrong at once: every problem listed at once, one line each, nothing else', () => {
    const { env, lines } = everyBadAtOnce();
    expect(lines).toHaveLength(ENV_VARS.filter((v) => TABLE[v.name].free === undefined).length);
    expect([...problemsOf(env)].sort()).toEqual([...lines].sort());
  });

  it('the same mistakes in a .env file give the same lines; the real environment overrides the file', () => {
    const { env, lines } = everyBadAtOnce();
    const file = join(dir, 'all-bad.env');
    writeFileSync(file, Object.entries(env).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join('\n'));
    expect([...problemsOf({}, file)].sort()).toEqual([...lines].sort());
    // A good value in the environment hides the file's bad one: that line goes.
    expect(problemsOf({ LOG_LEVEL: 'warn' }, file)).not.toContain(lines.find((l) => l.startsWith('LOG_LEVEL:')));
  });

  it('MIST_API_TOKEN and MIST_API_TOKENS set to different tokens: refused, naming both, quoting neither', () => {
    const problems = problemsOf({ MIST_API_TOKEN: 'token-secret-aaaa', MIST_API_TOKENS: 'token-secret-aaaa,token-secret-bbbb' });
    expect(problems).toEqual(['MIST_API_TOKEN: differs from MIST_API_TOKENS: both are set, to different tokens; set only one (the two names mean the same)']);
    expect(problems.join('\n')).not.toContain('token-secret');
    // Both with bad entries: each entry's problem (the comparison of the two lists waits until both parse).
    expect(problemsOf({ MIST_API_TOKEN: 'short', MIST_API_TOKENS: 'tiny-tok' })).toEqual([
      'MIST_API_TOKEN: token #1 is too short (at least 8 characters)',
    ]);
    expect(problemsOf({ MIST_API_TOKEN: 'short', MIST_API_TOKENS: 'tiny' })).toEqual([
      'MIST_API_TOKENS: token #1 is too short (at least 8 characters)',
      'MIST_API_TOKEN: token #1 is too short (at least 8 characters)',
    ]);
  });

  it('EXPORTER_BEARER_TOKEN together with EXPORTER_BASIC_AUTH is accepted: /metrics then takes either (documented)', () => {
    const config = loadConfig({ EXPORTER_BEARER_TOKEN: 'bearer-token-0123456789', EXPORTER_BASIC_AUTH: 'prom:secret' }, { envFile: NO_FILE });
    expect(config.exporter.auth).toEqual({ bearerToken: 'bearer-token-0123456789', basic: { user: 'prom', password: 'secret' } });
  });

  it('a variable repeated in COLLECTOR_INTERVALS and CIRCUIT_ROLES with bad entries lists each entry', () => {
    const [a, b] = FAMILY_NAMES;
    expect(problemsOf({ COLLECTOR_INTERVALS: `${a}=5,${b}=x,${a}=10`, CIRCUIT_ROLES: 'primary,Second=wan2' })).toEqual([
      `COLLECTOR_INTERVALS: ${a}: 5s is below the 30s minimum`,
      `COLLECTOR_INTERVALS: ${b}: "x" is not a number; give a whole number of seconds ≥ 30`,
      `COLLECTOR_INTERVALS: ${a}: 10s is below the 30s minimum`,
      'CIRCUIT_ROLES: entry #1 "primary": expected role=name|name…',
      'CIRCUIT_ROLES: entry #2: role "Second" must be lowercase letters, digits and _ (starting with a letter)',
    ]);
  });
});

describe('through the real CLI (a child process)', () => {
  it('every variable wrong at once: exit 2, every problem on stderr, no secret, nothing started', async () => {
    const { env, lines } = everyBadAtOnce();
    // Only PATH on top (spawnCli). The child runs in the repo, where .env is git-ignored: a developer's own .env would merge under.
    const proc = spawnCli(['exporter'], env);
    const code = await proc.exited;
    const out = proc.lines.join('\n');
    expect(code).toBe(2);
    expect(out).toMatch(/invalid configuration/);
    for (const line of lines) expect(out).toContain(line);
    for (const name of SECRET) for (const part of secretParts(env[name] ?? '')) expect(out).not.toContain(part);
    expect(out).not.toMatch(/listening|at .*\.ts:\d+/);
  }, 30_000);
});
