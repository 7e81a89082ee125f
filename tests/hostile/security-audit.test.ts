import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { auditVerdict } from '../../scripts/audit-verdict.js';

/**
 * CI's dependency audit: what scripts/audit-gate.ts makes of npm's answers (npm audit's report format 2, and
 * the error npm prints when the registry has no advisory endpoint, as this project's mirror answers: 405).
 */
const report = (vulnerabilities: Record<string, { severity: string; fixAvailable?: unknown }>) => JSON.stringify({
  auditReportVersion: 2,
  vulnerabilities: Object.fromEntries(Object.entries(vulnerabilities).map(([name, v]) => [name, { name, isDirect: false, via: [], effects: [], range: '*', nodes: [], ...v }])),
  metadata: {
    vulnerabilities: ['info', 'low', 'moderate', 'high', 'critical'].reduce<Record<string, number>>((acc, s) => ({ ...acc, [s]: Object.values(vulnerabilities).filter((v) => v.severity === s).length }), { total: Object.keys(vulnerabilities).length }),
    dependencies: { prod: 120, dev: 0, optional: 1, peer: 0, peerOptional: 0, total: 120 },
  },
});

describe('npm audit gate', () => {
  it('fails on a high or a critical advisory in a runtime dependency, naming it', () => {
    const high = auditVerdict(report({ fastify: { severity: 'high', fixAvailable: true }, 'fast-uri': { severity: 'moderate' } }));
    expect(high.outcome).toBe('fail');
    expect(high.message).toContain('fastify (high, fix available)');
    expect(high.message).not.toContain('fast-uri (');
    expect(auditVerdict(report({ undici: { severity: 'critical' } })).outcome).toBe('fail');
  });

  it('passes with only low and moderate advisories, or none, and says how many', () => {
    const moderate = auditVerdict(report({ 'fast-uri': { severity: 'moderate' }, pino: { severity: 'low' } }));
    expect(moderate).toEqual({ outcome: 'pass', message: 'npm audit (runtime dependencies): 0 critical, 0 high, 1 moderate, 1 low: nothing high or critical.' });
    expect(auditVerdict(report({})).outcome).toBe('pass');
  });

  it('says the audit did not run when the registry cannot answer (not a pass, not a finding)', () => {
    const error = JSON.stringify({ message: '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk', method: 'POST', statusCode: 405, body: '', error: { summary: '', detail: '' } });
    expect(auditVerdict(error)).toEqual({ outcome: 'unavailable', message: 'npm audit could not run: 405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk' });
    expect(auditVerdict('').outcome).toBe('unavailable');
    expect(auditVerdict('npm error code ENOTFOUND').outcome).toBe('unavailable');
  });

  it('.ci/run runs the gate after npm ci and before the tests', () => {
    const ci = readFileSync(new URL('../../.ci/run', import.meta.url), 'utf8').split('\n');
    const at = (re: RegExp) => ci.findIndex((l) => re.test(l));
    expect(at(/^npx tsx scripts\/audit-gate\.ts$/)).toBeGreaterThan(at(/^npm ci /));
    expect(at(/^npm test$/)).toBeGreaterThan(at(/^npx tsx scripts\/audit-gate\.ts$/));
  });
});
