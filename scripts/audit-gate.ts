import { spawnSync } from 'node:child_process';
import { auditVerdict } from './audit-verdict.js';

/**
 * CI's dependency audit (.ci/run): `npm audit --omit=dev`, failing on a high or critical advisory in a
 * runtime dependency (scripts/audit-verdict.ts says why dev dependencies do not count). When the registry
 * cannot answer audits (a mirror without the advisory endpoint) the run says so loudly and passes, unless
 * AUDIT_REQUIRED=1, which makes that a failure too.
 */
const run = spawnSync('npm', ['audit', '--json', '--omit=dev'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
const verdict = auditVerdict(run.stdout ?? '');
if (verdict.outcome === 'pass') {
  process.stdout.write(`${verdict.message}\n`);
} else if (verdict.outcome === 'unavailable' && process.env.AUDIT_REQUIRED !== '1') {
  process.stdout.write(`WARNING: ${verdict.message}; runtime dependencies NOT audited in this run (AUDIT_REQUIRED=1 makes this fail).\n`);
} else {
  console.error(verdict.message);
  process.exitCode = 1;
}
