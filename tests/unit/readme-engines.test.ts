import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * `npm ci` run by an older system Node warns EBADENGINE for every installed package (and the project) whose
 * engines.node the running Node does not satisfy. The README names those packages and their ranges and says
 * why the warnings are harmless; this keeps that list true as the lock file changes. Node 20 is Debian's.
 */
const SYSTEM_NODE = [20, 20, 2] as const;

type Version = readonly [number, number, number];

function parse(v: string): Version {
  const [a = 0, b = 0, c = 0] = v.replace(/^v/, '').split('.').map(Number);
  return [a, b, c];
}

const cmp = (x: Version, y: Version): number => x[0] - y[0] || x[1] - y[1] || x[2] - y[2];

/** One comparator of an npm range: >=, >, <=, <, ^, ~, =, or a bare (possibly partial) version. */
function satisfiesOne(v: Version, comparator: string): boolean {
  // "10.x" and "10.*" are "10": any minor and patch.
  const m = /^(>=|<=|>|<|\^|~|=)?\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(comparator.trim().replace(/(\.[x*])+$/i, ''));
  if (!m) throw new Error(`unsupported engines range part "${comparator}": extend this test's parser`);
  const [, op = '', major, minor, patch] = m;
  const base = parse(`${major}.${minor ?? 0}.${patch ?? 0}`);
  switch (op) {
    case '>=': return cmp(v, base) >= 0;
    case '>': return cmp(v, base) > 0;
    case '<=': return cmp(v, base) <= 0;
    case '<': return cmp(v, base) < 0;
    case '^': return v[0] === base[0] && cmp(v, base) >= 0;
    case '~': return v[0] === base[0] && v[1] === base[1] && cmp(v, base) >= 0;
    default:
      // "20" is any 20.x.y, "20.19" any 20.19.y, "20.19.0" exactly.
      return v[0] === base[0] && (minor === undefined || v[1] === base[1]) && (patch === undefined || v[2] === base[2]);
  }
}

function satisfies(v: Version, range: string): boolean {
  return range.split('||').some((set) => set.trim().replace(/(>=|<=|>|<|=)\s+/g, '$1').split(/\s+/).every((c) => satisfiesOne(v, c)));
}

interface LockPackage { readonly engines?: { readonly node?: string } | readonly string[]; readonly version?: string }

function warned(): { name: string; range: string }[] {
  const lock = JSON.parse(readFileSync(new URL('../../package-lock.json', import.meta.url), 'utf8')) as { packages: Record<string, LockPackage> };
  return Object.entries(lock.packages).flatMap(([path, pkg]) => {
    const range = Array.isArray(pkg.engines) ? undefined : (pkg.engines as { node?: string } | undefined)?.node;
    if (range === undefined || satisfies(SYSTEM_NODE, range)) return [];
    return [{ name: path === '' ? 'this project' : path.replace(/^.*node_modules\//, ''), range }];
  });
}

describe('README: the EBADENGINE warnings of npm ci on Node 20', () => {
  it('the range parser agrees with npm on the forms in the lock file', () => {
    expect(satisfies([20, 20, 2], '^20.19.0 || ^22.13.0 || >=24')).toBe(true);
    expect(satisfies([20, 20, 2], '18 || 20 || >=22')).toBe(true);
    expect(satisfies([20, 20, 2], '>= 18')).toBe(true);
    expect(satisfies([20, 20, 2], '>=10.x')).toBe(true);
    expect(satisfies([20, 20, 2], '20.x')).toBe(true);
    expect(satisfies([20, 20, 2], '>=22.19.0')).toBe(false);
    expect(satisfies([20, 20, 2], '^22.12.0 || ^24.0.0 || >=26.0.0')).toBe(false);
    expect(satisfies([24, 21, 0], '^22.12.0 || ^24.0.0 || >=26.0.0')).toBe(true);
  });

  it('names every package that warns, with its range, and no other', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('With an older system Node'), readme.indexOf('they disappear with Node 24'));
    const list = warned();
    expect(list.length).toBeGreaterThan(0);
    expect(section).toContain(`prints ${['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'][list.length]} \`npm warn EBADENGINE\``);
    for (const { name, range } of list) {
      expect(section, name).toContain(name === 'this project' ? `this project (\`engines.node ${range}\`)` : `\`${name}\``);
      expect(section, name).toContain(`\`${name === 'this project' ? `engines.node ${range}` : range}\``);
    }
    const named = [...section.matchAll(/`([a-z@][a-z0-9@/._-]*)`\s+\(`/g)].map((m) => m[1]);
    expect(named.sort()).toEqual(list.filter((w) => w.name !== 'this project').map((w) => w.name).sort());
  });
});
