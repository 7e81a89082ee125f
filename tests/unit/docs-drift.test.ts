import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands.js';
import { ENV_VARS } from '../../src/config/index.js';
import { DEMO_TOKEN } from '../../src/sim/options.js';
import { composeVariables, envExampleProblems, readmeProblems, type DriftContext } from '../support/docs-drift.js';

/**
 * The README's commands, .env.example, docker-compose.yml and the config module agree (with
 * tests/unit/config.test.ts: .env.example documents every variable with its default, and no other). Each check is
 * shown to fail on a drifted copy.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (p: string): string => readFileSync(join(ROOT, p), 'utf8');
const readme = read('README.md');
const compose = read('docker-compose.yml');
const composeDoc = parse(compose, { merge: true }) as { services: Record<string, { profiles?: string[] }> };
const vars = new Map(ENV_VARS.map((v) => [v.name as string, v.default as string | undefined]));

const ctx: DriftContext = {
  scripts: Object.keys((JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts),
  commands: COMMANDS.map((c) => c.name),
  vars,
  stackVars: new Map([...composeVariables(compose)].filter(([n]) => !vars.has(n))),
  profiles: [...new Set(Object.values(composeDoc.services).flatMap((s) => s.profiles ?? []))],
  exists: (p) => existsSync(join(ROOT, p)),
};

describe('README, .env.example, docker-compose.yml and the config module agree', () => {
  it('the README names only scripts, subcommands, variables, defaults, profiles and paths that exist', () => {
    expect(readmeProblems(readme, ctx)).toEqual([]);
  });

  it('the README gives the ports and the simulator as the defaults are', () => {
    expect(readme).toContain(`http://127.0.0.1:${vars.get('EXPORTER_PORT')}/metrics`);
    expect(readme).toContain(`http://127.0.0.1:${vars.get('SIM_PORT')}/__sim/org`);
    expect(compose).toContain(`MIST_API_TOKENS: ${DEMO_TOKEN}`);
  });

  it('.env.example names only variables the program reads', () => {
    expect(envExampleProblems(read('.env.example'), vars)).toEqual([]);
    expect(envExampleProblems(`${read('.env.example')}\n# see also MIST_API_TOKENZ\n`, vars)).toEqual(['MIST_API_TOKENZ: named in .env.example, not read by the program']);
  });

  const drifted: [string, (t: string) => string, RegExp][] = [
    ['an npm script that does not exist', (t) => t.replace('npm run demo', 'npm run demo-all'), /npm run demo-all: no such script/],
    ['a subcommand that does not exist', (t) => t.replace('npm run cli -- plan', 'npm run cli -- budget'), /subcommand budget/],
    ['a misspelt variable', (t) => t.replace('MIST_API_TOKENS=…', 'MIST_API_TOKEN_LIST=…'), /MIST_API_TOKEN_LIST: neither/],
    ['a wrong default', (t) => t.replace('`STORE_COMMAND_TIMEOUT_SECONDS`, default 10', '`STORE_COMMAND_TIMEOUT_SECONDS`, default 30'), /README says default 30, the config module 10/],
    ['a wrong stack default', (t) => t.replace('| `STACK_PROMETHEUS_RETENTION_TIME` | `400d` |', '| `STACK_PROMETHEUS_RETENTION_TIME` | `30d` |'), /README's table says default 30d, docker-compose.yml 400d/],
    ['a stack variable left out', (t) => t.replace(/^\| `STACK_BIND` .*\n/m, ''), /STACK_BIND: a docker-compose.yml setting missing/],
    ['a profile that does not exist', (t) => t.replace('--profile sim up', '--profile demo up'), /--profile demo/],
    ['a link to a heading that does not exist', (t) => t.replace('## Troubleshooting', '## Trouble'), /#troubleshooting: no such heading/],
    ['a path that does not exist', (t) => t.replace('-k deploy/kubernetes', '-k deploy/k8s'), /deploy\/k8s: in a README command/],
  ];
  it.each(drifted)('a README with %s fails', (_what, drift, problem) => {
    const text = drift(readme);
    expect(text).not.toBe(readme);
    expect(readmeProblems(text, ctx).join('\n')).toMatch(problem);
  });
});
