import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderMetricsDoc } from '../../src/metrics/docs.js';
import { WINDOWS_MEASURED, WINDOWS_SECTION } from '../../src/metrics/docs-windows.js';

/**
 * The claims of docs/metrics.md "Windows and functions for data that changes once per collection interval",
 * proven by `promtool test rules` on synthetic snapshot data (tests/promql/windows.test.yml), and the doc's
 * measured table tied to those expectations, so the doc can only cite numbers promtool checks.
 */

const DIR = fileURLToPath(new URL('../promql/', import.meta.url));
const TEST_FILE = 'windows.test.yml';
const RULES_FILE = 'windows.rules.yml';

/** Runs `promtool test rules` on a file; a missing promtool is a failure, never a skip. */
function promtoolTest(file: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', ['test', 'rules', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', (err) => reject(new Error(`cannot run promtool (${err.message}); install it with scripts/ensure-test-services.sh`)));
    child.once('close', (code) => resolve({ code, output }));
  });
}

/** The test file's groups by scrape interval ('30s' / '60s'), as text. */
function groups(yaml: string): Map<string, string> {
  const byInterval = new Map<string, string>();
  for (const part of yaml.split(/^ {2}- name: /m).slice(1)) {
    const interval = /^ {4}interval: (\S+)$/m.exec(part)?.[1];
    if (interval) byInterval.set(interval, part);
  }
  return byInterval;
}

const expectation = (expr: string, at: string, value: string): string =>
  `- {expr: '${expr}', eval_time: ${at}, exp_samples: [{value: ${value}}]}`;

describe('PromQL windows for snapshot data (promtool test rules)', () => {
  let yaml: string;
  let scratch: string;

  beforeAll(async () => {
    yaml = await readFile(join(DIR, TEST_FILE), 'utf8');
    scratch = await mkdtemp(join(tmpdir(), 'promql-windows-'));
  });
  afterAll(async () => {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('every expectation in the test file holds (exact integers for the recommended counts)', async () => {
    const result = await promtoolTest(join(DIR, TEST_FILE));
    expect(result.output).toContain('SUCCESS');
    expect(result.code).toBe(0);
  });

  it('every number in the doc\'s measured table is an expectation promtool checks, in the right scrape group', () => {
    const byInterval = groups(yaml);
    expect([...byInterval.keys()].sort()).toEqual(['30s', '60s']);
    const cells = WINDOWS_MEASURED.flatMap((row) => row.cells.map((cell) => ({ row, cell })));
    expect(cells.length).toBeGreaterThan(30);
    const missing = cells
      .filter(({ row, cell }) => !byInterval.get(cell.scrape)!.includes(expectation(row.expr, cell.at, cell.value)))
      .map(({ row, cell }) => `${row.expr} @${cell.at} (${cell.scrape}) = ${cell.value}`);
    expect(missing).toEqual([]);
  });

  it('the measured table shows the issue: alternating raw rates, a non-integer increase, an exact delta', () => {
    const value = (expr: string, at: string, scrape = '30s'): number =>
      Number(WINDOWS_MEASURED.find((r) => r.expr === expr)!.cells.find((c) => c.at === at && c.scrape === scrape)!.value);
    expect(value('rate(demo_bytes_total[2m])', '65m10s') / value('rate(demo_bytes_total[2m])', '65m40s')).toBeCloseTo(2, 10);
    expect(value('increase(demo_flaps_total[30m])', '65m10s', '60s')).toBeCloseTo(1.03, 2);
    expect(value('demo_flaps_total - demo_flaps_total offset 1h', '65m10s')).toBe(1);
    expect(value('sum_over_time(demo:failovers:increase1m[1h])', '65m10s')).toBe(5);
  });

  it('fails when a documented value is wrong (the check is live)', async () => {
    const right = expectation('demo_flaps_total - demo_flaps_total offset 1h', '65m10s', '1');
    expect(yaml).toContain(right);
    const wrong = expectation('demo_flaps_total - demo_flaps_total offset 1h', '65m10s', '1.0084033613445378');
    await writeFile(join(scratch, TEST_FILE), yaml.replace(right, wrong));
    await copyFile(join(DIR, RULES_FILE), join(scratch, RULES_FILE));
    const result = await promtoolTest(join(scratch, TEST_FILE));
    expect(result.code).toBe(1);
    expect(result.output).toContain('FAILED');
    expect(result.output).toMatch(/demo_flaps_total - demo_flaps_total offset 1h[\s\S]*got: \{\} 1E\+00/);
  });

  it('is part of docs/metrics.md', () => {
    const doc = renderMetricsDoc();
    expect(doc).toContain(`\n${WINDOWS_SECTION}`);
    expect(WINDOWS_SECTION.startsWith('## Windows and functions for data that changes once per collection interval\n')).toBe(true);
  });
});
