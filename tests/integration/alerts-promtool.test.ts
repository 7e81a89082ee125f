import { mkdtemp, readdir, readFile, rm, writeFile, mkdir, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertRuleFiles } from '../../src/rules/alerts/index.js';
import { DEFAULT_KPI_CONFIG, generateRuleFiles, renderRuleFiles } from '../../src/rules/index.js';
import { renderRuleFile } from '../../src/rules/render.js';
import { isAlert, type AlertingRule } from '../../src/rules/types.js';
import { runTool } from '../support/prom-cli.js';

/**
 * Every shipped alert (prometheus/alerts/*.yml, generated from the shipped config) is tested by `promtool test
 * rules` (tests/promql/alerts-*.test.yml): firing with its annotations, not firing, both sides of its `for:`.
 * The outage and quality cases also cover unknown data (never fires, holds a firing alert, then resolves).
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PROMQL = join(ROOT, 'tests/promql');

interface AlertCase { eval_time: string; alertname: string; exp_alerts?: { exp_labels?: Record<string, string>; exp_annotations?: Record<string, string> }[] }
interface TestFile { rule_files: string[]; tests: { name?: string; alert_rule_test?: AlertCase[] }[] }

const alerts: AlertingRule[] = generateRuleFiles(DEFAULT_KPI_CONFIG).flatMap((f) => f.groups.flatMap((g) => g.rules.filter(isAlert)));
const alertNames = [...new Set(alerts.map((a) => a.alert))];

describe('alerting rules under promtool', () => {
  let testFiles: string[];
  let cases: AlertCase[];
  let scratch: string;

  beforeAll(async () => {
    testFiles = (await readdir(PROMQL)).filter((f) => /^alerts-.*\.test\.yml$/.test(f)).sort();
    const docs = await Promise.all(testFiles.map(async (f) => parse(await readFile(join(PROMQL, f), 'utf8')) as TestFile));
    cases = docs.flatMap((d) => d.tests.flatMap((t) => t.alert_rule_test ?? []));
    scratch = await mkdtemp(join(tmpdir(), 'alerts-promtool-'));
  });
  afterAll(async () => {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('the shipped alert files are what the generator makes from the shipped config', async () => {
    const files = [...renderRuleFiles(DEFAULT_KPI_CONFIG)].filter(([p]) => p.startsWith('alerts/'));
    expect(files.map(([p]) => p).sort()).toEqual(['alerts/mist-wan-pipeline.yml', 'alerts/mist-wan.yml']);
    for (const [path, text] of files) expect(await readFile(join(ROOT, 'prometheus', path), 'utf8'), path).toBe(text);
  });

  it('promtool check rules: clean', async () => {
    const result = await runTool('promtool', ['check', 'rules', 'prometheus/alerts/mist-wan.yml', 'prometheus/alerts/mist-wan-pipeline.yml'], ROOT);
    expect(result.output).not.toMatch(/FAILED|warning/i);
    expect(result.code).toBe(0);
  });

  it('promtool check rules: a time-compressed copy (1/30, as the paging test runs) is clean too', async () => {
    const files = alertRuleFiles(DEFAULT_KPI_CONFIG, { timeScale: 1 / 30 });
    const paths = await Promise.all(files.map(async (f) => {
      const path = join(scratch, f.path.replace('/', '-'));
      await writeFile(path, renderRuleFile(f));
      return path;
    }));
    const result = await runTool('promtool', ['check', 'rules', ...paths]);
    expect(result.output).toContain('SUCCESS: 11 rules found');
    expect(result.output).toContain('SUCCESS: 6 rules found');
    expect(result.code).toBe(0);
  });

  it('every alerts-*.test.yml passes', async () => {
    expect(testFiles.length).toBeGreaterThanOrEqual(3);
    for (const f of testFiles) {
      const result = await runTool('promtool', ['test', 'rules', f], PROMQL);
      expect(result.output, f).toContain('SUCCESS');
      expect(result.code, f).toBe(0);
    }
  });

  it.each(alertNames)('%s is tested firing (with every annotation), not firing, and on both sides of its for:', (name) => {
    const mine = cases.filter((c) => c.alertname === name);
    const firing = mine.filter((c) => (c.exp_alerts ?? []).length > 0);
    const quiet = mine.filter((c) => (c.exp_alerts ?? []).length === 0);
    expect(firing.length, `${name} firing cases`).toBeGreaterThan(0);
    expect(quiet.length, `${name} not-firing cases`).toBeGreaterThan(0);
    const rules = alerts.filter((a) => a.alert === name);
    // Annotations are compared whole by promtool: a case that lists them checks summary, description and runbook_url.
    const annotated = firing.flatMap((c) => c.exp_alerts!).filter((a) => a.exp_annotations);
    expect(annotated.length, `${name} cases with annotations`).toBeGreaterThan(0);
    for (const a of annotated) {
      expect(rules.map((r) => r.annotations.summary)).toContain(a.exp_annotations!.summary);
      expect(a.exp_annotations!.runbook_url).toBe(rules[0]!.annotations.runbook_url);
    }
    // A `for:` edge: a quiet case one evaluation (1m) before a firing case.
    const minutes = (t: string): number => {
      const m = /^(?:(\d+)h)?(?:(\d+)m)?$/.exec(t);
      if (!m) throw new Error(`eval_time ${t}`);
      return Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
    };
    const firingAt = new Set(firing.map((c) => minutes(c.eval_time)));
    expect(quiet.some((c) => firingAt.has(minutes(c.eval_time) + 1)), `${name}: no quiet case 1m before a firing one`).toBe(true);
  });

  it('fails when an expectation is wrong (the check is live): MistSiteDown one minute early', async () => {
    const text = await readFile(join(PROMQL, 'alerts-site-down.test.yml'), 'utf8');
    const early = '      - {eval_time: 14m, alertname: MistSiteDown, exp_alerts: []}\n';
    expect(text).toContain(early);
    await mkdir(join(scratch, 'tests/promql'), { recursive: true });
    await mkdir(join(scratch, 'prometheus/alerts'), { recursive: true });
    await copyFile(join(ROOT, 'prometheus/alerts/mist-wan.yml'), join(scratch, 'prometheus/alerts/mist-wan.yml'));
    const wrong = early.replace('exp_alerts: []', 'exp_alerts: [{exp_labels: {severity: critical, org_id: o1, site_id: s1, region: EMEA, site_name: Lyon}}]');
    await writeFile(join(scratch, 'tests/promql/alerts-site-down.test.yml'), text.replace(early, wrong));
    const result = await runTool('promtool', ['test', 'rules', 'alerts-site-down.test.yml'], join(scratch, 'tests/promql'));
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/alertname: MistSiteDown, time: 14m,[\s\S]*got:\[\]/);
  });
});
