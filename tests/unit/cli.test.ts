import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { COMMANDS } from '../../src/cli/commands.js';
import { createSimCommand, parseSimArgs, tokenSummary } from '../../src/cli/sim.js';
import type { CliIo } from '../../src/cli/types.js';
import { ENV_VARS, loadConfig, SECTION_NAMES, sectionVariables, variablesRead } from '../../src/config/index.js';
import { DEMO_TOKEN } from '../../src/sim/options.js';

const fake = { close: vi.fn(async () => undefined), start: vi.fn() };
const commands = [createSimCommand(async () => fake.start)];

const NO_FILE = join(tmpdir(), 'mist-wan-exporter-no-such-dir', '.env');

function fakeIo(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const logs: string[] = [];
  const io: CliIo = {
    stdout: (text) => void out.push(text),
    stderr: (text) => void err.push(text),
    waitForShutdown: () => Promise.resolve('SIGTERM'),
    env,
    envFile: NO_FILE,
    logDestination: { write: (line: string) => void logs.push(line) },
  };
  return { io, out: () => out.join(''), err: () => err.join(''), logs: () => logs.join('') };
}

const SIM_FLAGS = [
  'sites', 'seed', 'host', 'port', 'tokens', 'rate-limit', 'retry-after',
  'speed', 'history-minutes', 'search-history-minutes', 'warmup-minutes', 'start-time',
];

describe('runCli usage', () => {
  it('--help lists every command with its summary and exits 0', async () => {
    const t = fakeIo();
    expect(await runCli(['--help'], t.io)).toBe(0);
    const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    for (const c of COMMANDS) expect(t.out()).toMatch(new RegExp(`^ {2}${escape(c.name)} +${escape(c.summary)}$`, 'm'));
  });

  it('sim --help shows every sim option with its default', async () => {
    const t = fakeIo();
    expect(await runCli(['sim', '--help'], t.io)).toBe(0);
    for (const flag of SIM_FLAGS) expect(t.out()).toMatch(new RegExp(`^ {2}--${flag} <[^>]+> +.*\\(default: `, 'm'));
    expect(t.out()).toContain('(default: 3208; env SIM_SITES)');
  });

  it.each(COMMANDS.map((c) => [c.name]))('%s --help lists every variable it reads with its default, from the config module', async (name) => {
    const t = fakeIo();
    expect(await runCli([name, '--help'], t.io)).toBe(0);
    const command = COMMANDS.find((c) => c.name === name)!;
    const vars = variablesRead(command.reads);
    expect(vars.length).toBeGreaterThan(0);
    const listed = t.out().slice(t.out().indexOf('Environment variables it reads'));
    for (const v of vars) {
      const shown = v.default === undefined ? '(not set' : v.default.trim() === v.default ? v.default : JSON.stringify(v.default);
      expect(listed, v.name).toMatch(new RegExp(`^ {2}${v.name} +${shown.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm'));
    }
    // Only what it reads: every listed name is one of its variables.
    const names = [...listed.matchAll(/^ {2}([A-Z][A-Z0-9_]+) /gm)].map((m) => m[1]);
    expect(names).toEqual(vars.map((v) => v.name));
  });

  it('the variable lists derive from the config sections: `all` lists every variable, `sim` only LOG_* and SIM_*', () => {
    const all = COMMANDS.find((c) => c.name === 'all')!;
    expect(variablesRead(all.reads).map((v) => v.name)).toEqual(ENV_VARS.map((v) => v.name));
    const sim = COMMANDS.find((c) => c.name === 'sim')!;
    expect(variablesRead(sim.reads).map((v) => v.name)).toEqual([...sectionVariables('log'), ...sectionVariables('sim')]);
    // A new config section must be read by some command besides `all` (or this fails and says which).
    const readSomewhere = new Set(COMMANDS.filter((c) => c.name !== 'all').flatMap((c) => c.reads));
    expect(SECTION_NAMES.filter((s) => !readSomewhere.has(s) && !sectionVariables(s).some((v) => readSomewhere.has(v)))).toEqual([]);
  });

  it.each([
    [['nope'], 'unknown command "nope"'],
    [['sim', '--bogus'], "Unknown option '--bogus'"],
    [['sim', '--sites'], "Option '--sites <value>' argument missing"],
    [[], 'Usage: mist-wan-exporter'],
  ])('%j prints to stderr and exits 2', async (argv, message) => {
    const t = fakeIo();
    expect(await runCli(argv, t.io)).toBe(2);
    expect(t.err()).toContain(message);
    expect(t.out()).toBe('');
  });

  it('does not echo a stray argument, which may be a token', async () => {
    const t = fakeIo();
    expect(await runCli(['sim', '--tokens', 'token-aaaa', 'token-bbbb'], t.io)).toBe(2);
    expect(t.err()).not.toContain('token-bbbb');
  });
});

describe('parseSimArgs', () => {
  const config = loadConfig({}, { envFile: NO_FILE });

  it('turns flags into validated simulator options', () => {
    const args = {
      sites: '10', seed: 's1', host: '0.0.0.0', port: '0', tokens: ' token-aaaa,token-bbbb,token-aaaa ',
      'rate-limit': '100', 'retry-after': 'off', speed: '60', 'history-minutes': '30', 'warmup-minutes': '0',
      'start-time': '1700000000', 'search-history-minutes': '360',
    };
    expect(parseSimArgs(args, config)).toEqual({
      options: {
        sites: 10, seed: 's1', host: '0.0.0.0', port: 0, tokens: ['token-aaaa', 'token-bbbb'], rateLimit: 100,
        retryAfter: false, speed: 60, historyMinutes: 30, warmupMinutes: 0, startTime: 1700000000,
        searchHistoryMinutes: 360,
      },
    });
  });

  it('takes defaults from SIM_* settings, and flags win over them', () => {
    const fromEnv = loadConfig({ SIM_SITES: '42', SIM_PORT: '8000' }, { envFile: NO_FILE });
    expect(parseSimArgs({ port: '9000' }, fromEnv)).toMatchObject({
      options: { sites: 42, port: 9000, seed: 'mist-wan', tokens: [DEMO_TOKEN], retryAfter: true },
    });
  });

  it('lists every problem by flag name without quoting tokens', () => {
    const result = parseSimArgs({ sites: '0', 'retry-after': 'maybe', speed: 'fast', tokens: 'short1,token-okay' }, config);
    expect(result).toEqual({
      problems: [
        '--retry-after: must be on or off',
        '--sites: must be at least 1',
        '--tokens: entry #1 must have at least 8 characters',
        '--speed: must be a number',
      ],
    });
  });
});

describe('tokenSummary', () => {
  it('prints only the public demo token and counts user tokens', () => {
    expect(tokenSummary([DEMO_TOKEN])).toBe(`token: ${DEMO_TOKEN}`);
    expect(tokenSummary(['secret-token-1', 'secret-token-2'])).toBe('token: 2 tokens');
  });
});

describe('sim command', () => {
  beforeEach(() => {
    fake.close.mockClear();
    fake.start.mockReset();
    fake.start.mockResolvedValue({ url: 'http://127.0.0.1:9731', orgId: 'org-1', close: fake.close });
  });

  it('starts the simulator, announces it, and closes it on shutdown', async () => {
    const t = fakeIo({ SIM_SITES: '5' });
    // Port 0: the command tries its port before starting, and this test must not depend on 9731 being free.
    expect(await runCli(['sim', '--port', '0', '--tokens', 'user-secret-token'], t.io, commands)).toBe(0);
    expect(fake.start).toHaveBeenCalledWith(expect.objectContaining({ sites: 5, port: 0 }), expect.anything());
    expect(t.out()).toBe('Mist simulator for 5 sites listening on http://127.0.0.1:9731 (org org-1; token: 1 token)\n');
    expect(fake.close).toHaveBeenCalledOnce();
    expect(t.logs()).toMatch(/"component":"sim".*"url":"http:\/\/127.0.0.1:9731"/);
    expect(t.logs() + t.out()).not.toContain('user-secret-token');
  });

  it('exits 1 with a scrubbed message when the simulator cannot start', async () => {
    fake.start.mockRejectedValue(new Error('cannot listen for user-secret-token'));
    const t = fakeIo();
    expect(await runCli(['sim', '--port', '0', '--tokens', 'user-secret-token'], t.io, commands)).toBe(1);
    expect(t.err()).toBe('mist-wan-exporter sim: cannot listen for [REDACTED]\n');
    expect(t.logs()).not.toContain('user-secret-token');
  });

  it('exits 2 on invalid options without starting the simulator', async () => {
    const t = fakeIo();
    expect(await runCli(['sim', '--sites', '0'], t.io, commands)).toBe(2);
    expect(t.err()).toBe('mist-wan-exporter sim: invalid options:\n  --sites: must be at least 1\n');
    expect(fake.start).not.toHaveBeenCalled();
  });
});
