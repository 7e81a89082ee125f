import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, ENV_VARS, hostProblem, loadConfig } from '../../src/config/index.js';
import { FAMILY_NAMES } from '../../src/families/registry.js';

/** The configuration mistakes a new user makes first: the token variable's name, the listen address, intervals. */

const NO_FILE = join(tmpdir(), 'mist-wan-exporter-no-such-dir', '.env');
const load = (env: Record<string, string>) => loadConfig(env, { envFile: NO_FILE });

function problemsOf(env: Record<string, string>): string[] {
  try {
    load(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return [...(err as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}

describe('MIST_API_TOKEN (the name Mist\'s tools use) and MIST_API_TOKENS', () => {
  it('reads MIST_API_TOKEN, comma-separated, like MIST_API_TOKENS', () => {
    expect(load({ MIST_API_TOKEN: ' token-aaaa,token-bbbb ' }).mist).toMatchObject({ tokens: ['token-aaaa', 'token-bbbb'], tokenVariable: 'MIST_API_TOKEN' });
    expect(load({ MIST_API_TOKENS: 'token-aaaa' }).mist).toMatchObject({ tokens: ['token-aaaa'], tokenVariable: 'MIST_API_TOKENS' });
  });

  it('accepts both set to the same tokens, in any order', () => {
    expect(load({ MIST_API_TOKEN: 'token-bbbb,token-aaaa', MIST_API_TOKENS: 'token-aaaa,token-bbbb' }).mist.tokens).toEqual(['token-aaaa', 'token-bbbb']);
  });

  it('refuses both set to different tokens, without quoting either', () => {
    const problems = problemsOf({ MIST_API_TOKEN: 'token-secret-one', MIST_API_TOKENS: 'token-secret-two' });
    expect(problems).toEqual(['MIST_API_TOKEN: differs from MIST_API_TOKENS: both are set, to different tokens; set only one (the two names mean the same)']);
    expect(problems.join('\n')).not.toMatch(/token-secret/);
  });

  it('checks MIST_API_TOKEN entries like MIST_API_TOKENS entries', () => {
    expect(problemsOf({ MIST_API_TOKEN: 'short' })).toEqual(['MIST_API_TOKEN: token #1 is too short (at least 8 characters)']);
  });

  it('is declared once, as a secret', () => {
    expect(ENV_VARS.find((v) => v.name === 'MIST_API_TOKEN')).toMatchObject({ secret: true, default: undefined });
  });
});

describe('EXPORTER_HOST', () => {
  it.each(['0.0.0.0', '127.0.0.1', '::', '::1', 'localhost', 'exporter', 'mist-exporter.example.com', 'node-1.local.', 'mist_exporter'])('accepts %s', (host) => {
    expect(load({ EXPORTER_HOST: host }).exporter.host).toBe(host);
  });

  it.each([
    ['999.1.1.1', '"999.1.1.1" is not an IPv4 address (999 is above 255)'],
    ['10.0.0', '"10.0.0" is not an IPv4 address (four numbers 0-255 separated by dots)'],
    ['[::1]', '"[::1]" is not an address: write an IPv6 address without brackets (e.g. ::)'],
    ['fe80::zz', '"fe80::zz" is not an IPv6 address'],
    ['my host', 'is not an IP address or host name'],
    ['exporter.9', '"exporter.9" is not an IP address or host name'],
    ['-bad.example.com', '"-bad.example.com" is not an IP address or host name'],
    ['http://0.0.0.0', 'is not an address: give an IP address or host name without a scheme (no http://)'],
  ])('refuses %s: %s', (host, message) => {
    expect(problemsOf({ EXPORTER_HOST: host })).toEqual([`EXPORTER_HOST: ${message}`]);
  });

  it('hostProblem is the pure check behind it', () => {
    expect(hostProblem('192.168.1.10')).toBeUndefined();
    expect(hostProblem('256.256.256.256')).toBe('"256.256.256.256" is not an IPv4 address (256 is above 255)');
  });
});

describe('COLLECTOR_INTERVALS says what is wrong with each value', () => {
  const [family, other] = FAMILY_NAMES;
  it.each([
    [`${family}=-5`, `${family}: -5 is negative; give a whole number of seconds ≥ 30`],
    [`${family}=90.5`, `${family}: 90.5 is not a whole number; give a whole number of seconds ≥ 30`],
    [`${family}=5m`, `${family}: "5m" has a unit (5m = 300 seconds); give a whole number of seconds ≥ 30`],
    [`${family}=often`, `${family}: "often" is not a number; give a whole number of seconds ≥ 30`],
    [`${family}=`, `${family}: no seconds after "="`],
    [`${family}=10`, `${family}: 10s is below the 30s minimum`],
    [`${family}`, `entry #1 ("${family}") is not family=seconds`],
  ])('%s → %s', (value, message) => {
    expect(problemsOf({ COLLECTOR_INTERVALS: value })).toEqual([`COLLECTOR_INTERVALS: ${message}`]);
  });

  it('suggests the family meant by a typo, and still lists them all', () => {
    const typo = `${family!.slice(0, -1)}x`;
    const [problem] = problemsOf({ COLLECTOR_INTERVALS: `${typo}=60` });
    expect(problem).toBe(`COLLECTOR_INTERVALS: unknown family "${typo}" (did you mean ${family}?) (families: ${FAMILY_NAMES.join(', ')})`);
  });

  it('lists every bad entry and keeps the good ones apart', () => {
    expect(problemsOf({ COLLECTOR_INTERVALS: `${family}=-5,${other}=abc` })).toHaveLength(2);
    expect(load({ COLLECTOR_INTERVALS: ` ${family} = 90 ` }).collector.intervals).toEqual({ [family!]: 90 });
  });
});
