/**
 * What CI makes of `npm audit --json --omit=dev` (scripts/audit-gate.ts runs it). Pure: tests feed it npm's
 * report and error shapes. Runtime dependencies only: the image installs `--omit=dev`, so the dev tools
 * (compiler, linter, test runner) never run in production; a high advisory there does not ship.
 */

/** Severities that fail CI. */
export const FAILING = ['high', 'critical'] as const;

export interface AuditVerdict {
  /** 'fail': a high or critical advisory in a runtime dependency; 'unavailable': npm could not audit. */
  readonly outcome: 'pass' | 'fail' | 'unavailable';
  /** One paragraph for the CI log. */
  readonly message: string;
}

interface Report {
  metadata?: { vulnerabilities?: Partial<Record<'info' | 'low' | 'moderate' | 'high' | 'critical' | 'total', number>> };
  vulnerabilities?: Record<string, { name?: string; severity?: string; fixAvailable?: unknown }>;
  message?: string;
  error?: { code?: string; summary?: string; detail?: string };
}

export function auditVerdict(stdout: string): AuditVerdict {
  let report: Report;
  try {
    report = JSON.parse(stdout) as Report;
  } catch {
    return { outcome: 'unavailable', message: `npm audit printed no JSON report (${stdout.trim().slice(0, 200) || 'nothing'})` };
  }
  const counts = report.metadata?.vulnerabilities;
  if (!counts) {
    const why = report.message ?? report.error?.summary ?? report.error?.code ?? 'no report';
    return { outcome: 'unavailable', message: `npm audit could not run: ${why}` };
  }
  const failing = Object.values(report.vulnerabilities ?? {})
    .filter((v) => (FAILING as readonly string[]).includes(v.severity ?? ''))
    .map((v) => `${v.name ?? '?'} (${v.severity}${v.fixAvailable ? ', fix available' : ''})`);
  const summary = (['critical', 'high', 'moderate', 'low'] as const).map((s) => `${counts[s] ?? 0} ${s}`).join(', ');
  if (failing.length > 0 || (counts.high ?? 0) + (counts.critical ?? 0) > 0) {
    return { outcome: 'fail', message: `npm audit (runtime dependencies): ${summary}. High or critical: ${failing.join(', ') || 'see npm audit'}. Update the package or add an override in package.json.` };
  }
  return { outcome: 'pass', message: `npm audit (runtime dependencies): ${summary}: nothing high or critical.` };
}
