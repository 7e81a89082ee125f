import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  assignRoles, comparePortIds, DEFAULT_CIRCUIT_ROLES, isLte, parseCircuitRoles, roleRanker, type RolePort,
} from '../../src/collect/circuit-roles.js';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { buildOrg } from '../../src/sim/model/org.js';

const DEFAULT = parseCircuitRoles(DEFAULT_CIRCUIT_ROLES).rules;
const port = (port_id: string, wan_name: string, wan_type = 'broadband'): RolePort => ({ port_id, wan_name, wan_type });
const rolesOf = (ports: RolePort[], rules = DEFAULT): Record<string, string> => Object.fromEntries(assignRoles(ports, rules));
const rules = (raw: string) => {
  const parsed = parseCircuitRoles(raw);
  expect(parsed.problems).toEqual([]);
  return parsed.rules;
};

describe('parseCircuitRoles', () => {
  it('reads ordered role=alternative|alternative rules, trimming spaces', () => {
    expect(parseCircuitRoles(' primary = wan1 | mpls , secondary=lte ')).toEqual({
      rules: [{ role: 'primary', alternatives: ['wan1', 'mpls'] }, { role: 'secondary', alternatives: ['lte'] }], problems: [],
    });
  });
  it('reads "none" (or nothing) as no rules: the positional default only', () => {
    expect(parseCircuitRoles(' None ')).toEqual({ rules: [], problems: [] });
    expect(parseCircuitRoles('')).toEqual({ rules: [], problems: [] });
    expect(parseCircuitRoles(' , ')).toEqual({ rules: [], problems: [] });
  });
  it('names each malformed entry: no "=", a bad role name, an empty or spaced alternative', () => {
    const { rules: ok, problems } = parseCircuitRoles('primary,Primary=wan1,backup=,secondary=wan 2,tertiary=a||b,standby=wan3');
    expect(ok).toEqual([{ role: 'standby', alternatives: ['wan3'] }]);
    expect(problems).toHaveLength(5);
    expect(problems[0]).toMatch(/entry #1 "primary": expected role=name/);
    expect(problems[1]).toMatch(/entry #2: role "Primary" must be lowercase/);
    expect(problems.slice(2).map((p) => p.slice(0, 9))).toEqual(['entry #3 ', 'entry #4 ', 'entry #5 ']);
  });
  it('is validated by the config: a bad CIRCUIT_ROLES refuses start-up, naming the variable', () => {
    const load = (v: string) => loadConfig({ CIRCUIT_ROLES: v }, { envFile: join(tmpdir(), 'no-such-dir', '.env') });
    expect(() => load('primary')).toThrow(ConfigError);
    expect(() => load('primary')).toThrow(/CIRCUIT_ROLES/);
    expect(load('primary=isp_a|isp_b').collector.circuitRoles).toEqual([{ role: 'primary', alternatives: ['isp_a', 'isp_b'] }]);
    expect(load('none').collector.circuitRoles).toEqual([]);
    // Empty means unset (compose passes X= for unset X): the default rules.
    expect(load('').collector.circuitRoles).toEqual(parseCircuitRoles(DEFAULT_CIRCUIT_ROLES).rules);
  });
});

describe('assignRoles with the default CIRCUIT_ROLES', () => {
  it('names the simulator\'s spoke layouts as the simulator does (primary, secondary, tertiary)', () => {
    expect(rolesOf([port('ge-0/0/0', 'wan1'), port('ge-0/0/1', 'wan2'), port('cl-1/0/0', 'lte', 'lte')])).toEqual({ 'ge-0/0/0': 'primary', 'ge-0/0/1': 'secondary', 'cl-1/0/0': 'tertiary' });
    expect(rolesOf([port('ge-0/0/0', 'mpls'), port('lte-0/0/0', 'lte', 'lte'), port('ge-0/0/2', 'wan3')])).toEqual({ 'ge-0/0/0': 'primary', 'lte-0/0/0': 'secondary', 'ge-0/0/2': 'tertiary' });
    // A hub: wan1 and mpls. At most one primary: mpls is only the primary where no wan1 exists.
    expect(rolesOf([port('ge-0/0/0', 'wan1'), port('ge-0/0/1', 'mpls')])).toEqual({ 'ge-0/0/0': 'primary', 'ge-0/0/1': 'secondary' });
  });

  it('agrees with the simulator\'s ground-truth role of every WAN port of a 200-site org (HA pairs and hubs included)', () => {
    const org = buildOrg('mist-wan', 200);
    const wrong: string[] = [];
    for (const gw of org.gateways) {
      const ports = gw.wanPortIndexes.map((p) => org.wanPorts[p]!);
      const roles = assignRoles(ports.map((p) => port(p.portId, p.wanName, p.wanType)), DEFAULT);
      for (const p of ports) if (roles.get(p.portId) !== p.role) wrong.push(`${gw.name} ${p.portId} ${p.wanName}: ${roles.get(p.portId)} != ${p.role}`);
    }
    expect(wrong).toEqual([]);
  });
});

describe('assignRoles with custom rules', () => {
  it('takes the first alternative, in the order written, that names a port: the order is a preference', () => {
    const ports = [port('ge-0/0/0', 'wan1'), port('ge-0/0/1', 'mpls')];
    expect(rolesOf(ports, rules('primary=mpls|wan1'))).toEqual({ 'ge-0/0/0': 'secondary', 'ge-0/0/1': 'primary' });
  });
  it('matches wan_name or port_id case-insensitively, with * as a wildcard, lowest port id first', () => {
    const ports = [port('ge-0/0/10', 'Internet'), port('ge-0/0/2', 'Fiber'), port('cl-1/0/0', 'LTE', 'lte')];
    expect(rolesOf(ports, rules('primary=GE-0/0/*,backup=lte'))).toEqual({ 'ge-0/0/2': 'primary', 'ge-0/0/10': 'secondary', 'cl-1/0/0': 'backup' });
    expect(rolesOf(ports, rules('primary=internet,secondary=fib*'))).toEqual({ 'ge-0/0/10': 'primary', 'ge-0/0/2': 'secondary', 'cl-1/0/0': 'backup' });
  });
  it('gives a role listed twice to two ports', () => {
    const ports = [port('ge-0/0/0', 'a'), port('ge-0/0/1', 'b'), port('ge-0/0/2', 'c')];
    expect(rolesOf(ports, rules('primary=a,standby=b,standby=c'))).toEqual({ 'ge-0/0/0': 'primary', 'ge-0/0/1': 'standby', 'ge-0/0/2': 'standby' });
  });
  it('gives ports no rule takes the positional default: the rest non-LTE secondary, LTE backup', () => {
    const ports = [port('ge-0/0/0', 'wan1'), port('ge-0/0/3', 'Internet2'), port('lte-0/0/0', 'cell', 'lte')];
    expect(rolesOf(ports, rules('primary=wan1'))).toEqual({ 'ge-0/0/0': 'primary', 'ge-0/0/3': 'secondary', 'lte-0/0/0': 'backup' });
  });
});

describe('assignRoles positional default (no rule matches)', () => {
  it('makes the lowest-numbered non-LTE port primary (natural order), the others secondary, LTE backup', () => {
    const ports = [port('ge-0/0/10', 'x'), port('cl-1/0/0', 'cell', 'lte'), port('ge-0/0/2', 'y'), port('ge-0/0/3', 'z')];
    expect(rolesOf(ports, [])).toEqual({ 'ge-0/0/2': 'primary', 'ge-0/0/3': 'secondary', 'ge-0/0/10': 'secondary', 'cl-1/0/0': 'backup' });
  });
  it('makes an LTE-only gateway\'s first LTE port primary', () => {
    expect(rolesOf([port('lte-0/0/1', 'cell2', 'lte'), port('lte-0/0/0', 'cell1', 'lte')], [])).toEqual({ 'lte-0/0/0': 'primary', 'lte-0/0/1': 'backup' });
  });
  it('leaves the primary alone when a rule already named one', () => {
    expect(rolesOf([port('ge-0/0/0', 'x'), port('ge-0/0/1', 'mpls')])).toEqual({ 'ge-0/0/0': 'secondary', 'ge-0/0/1': 'primary' });
  });
});

describe('helpers', () => {
  it('recognises LTE by wan_type, port id (cl-, lte-) or a wan_name containing lte', () => {
    expect([port('ge-0/0/1', 'x', 'lte'), port('cl-1/0/0', 'x'), port('lte-0/0/0', 'x'), port('ge-0/0/1', 'Backup-LTE')].every(isLte)).toBe(true);
    expect(isLte(port('ge-0/0/1', 'wan2'))).toBe(false);
  });
  it('orders port ids naturally', () => {
    expect(['ge-0/0/10', 'ge-0/0/2', 'cl-1/0/0', 'ge-5/0/0'].sort(comparePortIds)).toEqual(['cl-1/0/0', 'ge-0/0/2', 'ge-0/0/10', 'ge-5/0/0']);
  });
  it('ranks primary first, then roles in rule order, then secondary and backup, unknown roles last', () => {
    const rank = roleRanker(rules('secondary=b,tertiary=c,primary=a'));
    expect(['backup', 'mystery', 'tertiary', 'primary', 'secondary'].sort((x, y) => rank(x) - rank(y))).toEqual(['primary', 'secondary', 'tertiary', 'backup', 'mystery']);
    expect(rank(null)).toBe(rank('mystery'));
  });
});
