import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogueEntries } from '../../src/metrics/catalogue/index.js';
import { DEFAULT_KPI_CONFIG, generateRuleFiles, R } from '../../src/rules/index.js';
import { isAlert } from '../../src/rules/types.js';
import { runTool } from '../support/prom-cli.js';

/**
 * The shipped prometheus/prometheus.yml and prometheus/alertmanager.yml pass their own tools' checks and agree
 * with the generated alerts; docs/runbooks.md has a section for every runbook_url; docs/alerting.md's PagerDuty
 * and Opsgenie receivers are valid Alertmanager configuration.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const alerts = generateRuleFiles(DEFAULT_KPI_CONFIG).flatMap((f) => f.groups.flatMap((g) => g.rules.filter(isAlert)));
const alertNames = new Set(alerts.map((a) => a.alert));

interface AmConfig {
  route: { receiver: string; group_by: string[]; routes?: { receiver: string; matchers: string[] }[] };
  receivers: { name: string }[];
  inhibit_rules: { source_matchers: string[]; target_matchers: string[]; equal?: string[] }[];
}

/** Alert names a matcher like `alertname=~"A|B"` or `alertname="A"` names. */
const namesIn = (matchers: readonly string[]): string[] => matchers.flatMap((m) => {
  const hit = /^alertname=~?"([^"]+)"$/.exec(m);
  return hit ? hit[1]!.split('|') : [];
});

/** GitHub's heading anchors: lower case, spaces to dashes, punctuation dropped. */
const anchors = (markdown: string): Set<string> => new Set([...markdown.matchAll(/^#{1,6} (.+)$/gm)]
  .map((m) => m[1]!.trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-')));

describe('alerting configuration', () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'alerting-config-'));
  });
  afterAll(async () => {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('promtool check config: prometheus.yml is valid and loads the rule and alert files', async () => {
    const result = await runTool('promtool', ['check', 'config', 'prometheus/prometheus.yml'], ROOT);
    expect(result.output).toContain('SUCCESS: prometheus/prometheus.yml is valid prometheus config file syntax');
    expect(result.output).toContain('Checking prometheus/alerts/mist-wan.yml');
    expect(result.code).toBe(0);
  });

  it('prometheus.yml scrapes the exporter replicas in a job the target-down alerts watch', async () => {
    const config = parse(await readFile(join(ROOT, 'prometheus/prometheus.yml'), 'utf8')) as {
      rule_files: string[]; scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[]; alerting: unknown;
    };
    expect(config.rule_files).toEqual(['rules/*.yml', 'alerts/*.yml']);
    expect(config.alerting).toBeTruthy();
    const watched = new RegExp(`^(?:${DEFAULT_KPI_CONFIG.exporter_job})$`);
    const jobs = config.scrape_configs.filter((j) => watched.test(j.job_name));
    expect(jobs.map((j) => j.job_name)).toEqual(['mist-wan-exporter']);
    expect(jobs[0]!.static_configs[0]!.targets.length).toBeGreaterThanOrEqual(2);
  });

  it('amtool check-config: alertmanager.yml is valid; a broken one is not (the check is live)', async () => {
    const text = await readFile(join(ROOT, 'prometheus/alertmanager.yml'), 'utf8');
    const ok = await runTool('amtool', ['check-config', 'prometheus/alertmanager.yml'], ROOT);
    expect(ok.output).toContain('SUCCESS');
    expect(ok.code).toBe(0);
    await writeFile(join(scratch, 'broken.yml'), text.replace('receiver: oncall', 'receiver: nobody'));
    const broken = await runTool('amtool', ['check-config', join(scratch, 'broken.yml')]);
    expect(broken.code).not.toBe(0);
    expect(broken.output).toContain('undefined receiver "nobody"');
  });

  it('alertmanager.yml routes critical to oncall, groups by site, and inhibits only alerts that exist', async () => {
    const config = parse(await readFile(join(ROOT, 'prometheus/alertmanager.yml'), 'utf8')) as AmConfig;
    expect(config.route.receiver).toBe('noc');
    expect(config.route.group_by).toEqual(['alertname', 'region', 'site_id']);
    expect(config.route.routes).toEqual([expect.objectContaining({ receiver: 'oncall', matchers: ['severity="critical"'] })]);
    const named = config.inhibit_rules.flatMap((r) => [...namesIn(r.source_matchers), ...namesIn(r.target_matchers)]);
    expect(named.length).toBeGreaterThan(5);
    expect(named.filter((n) => !alertNames.has(n))).toEqual([]);
    const siteDown = config.inhibit_rules.find((r) => namesIn(r.source_matchers).includes('MistSiteDown'))!;
    expect(siteDown.equal).toEqual(['org_id', 'site_id']);
    // Every alert it silences carries the labels it compares.
    const siteScoped = alerts.filter((a) => namesIn(siteDown.target_matchers).includes(a.alert));
    for (const a of siteScoped) expect(a.expr, a.alert).toMatch(/group_left \(region, site_name\)/);
    expect([...new Set(alerts.filter((a) => a.labels.severity === 'critical').map((a) => a.alert))].sort())
      .toEqual(['MistDataStale', 'MistExporterDown', 'MistSiteDown', 'MistStoreDown']);
  });

  it('docs/runbooks.md has a section for every runbook_url, and every section says what it means, how to check, what to do', async () => {
    const runbooks = await readFile(join(ROOT, 'docs/runbooks.md'), 'utf8');
    const have = anchors(runbooks);
    const urls = [...new Set(alerts.map((a) => a.annotations.runbook_url))];
    expect(urls).toHaveLength(alertNames.size);
    for (const url of urls) {
      const [base, anchor] = url.split('#');
      expect(base).toBe(DEFAULT_KPI_CONFIG.runbook_base_url);
      expect(base!.endsWith('/docs/runbooks.md')).toBe(true);
      expect(have.has(anchor!), `docs/runbooks.md has no heading for #${anchor}`).toBe(true);
    }
    const sections = runbooks.split(/^## /m).slice(1);
    expect(sections.map((s) => s.split('\n')[0]).sort()).toEqual([...alertNames].sort());
    for (const s of sections) {
      for (const part of ['**What it means.**', '**How to check.**', '**What to do.**']) expect(s, `${s.split('\n')[0]}: ${part}`).toContain(part);
    }
    // Links inside the runbooks point at sections that exist.
    for (const [, target] of runbooks.matchAll(/\]\(#([^)]+)\)/g)) expect(have.has(target!), `#${target}`).toBe(true);
  });

  it('docs/alerting.md\'s PagerDuty and Opsgenie receivers pass amtool', async () => {
    const doc = await readFile(join(ROOT, 'docs/alerting.md'), 'utf8');
    const block = /### PagerDuty and Opsgenie[\s\S]*?```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(block).toBeTruthy();
    const receivers = (parse(block!) as { receivers: Record<string, unknown>[] }).receivers;
    expect(receivers).toHaveLength(2);
    await writeFile(join(scratch, 'secret'), 'x\n');
    const config = {
      route: { receiver: 'oncall' },
      receivers: receivers.map((r, i) => JSON.parse(JSON.stringify({ ...r, name: `oncall${i ? i : ''}` })
        .replaceAll('/etc/alertmanager/secrets/pagerduty-routing-key', join(scratch, 'secret'))
        .replaceAll('/etc/alertmanager/secrets/opsgenie-api-key', join(scratch, 'secret'))) as unknown),
    };
    await writeFile(join(scratch, 'receivers.yml'), stringify(config));
    const result = await runTool('amtool', ['check-config', join(scratch, 'receivers.yml')]);
    expect(result.output).toContain('SUCCESS');
    expect(result.code).toBe(0);
  });

  it('the docs name only recorded series of names.ts and metrics of the catalogue', async () => {
    const recorded = new Set<string>(Object.values(R));
    const catalogue = new Set(catalogueEntries().map((e) => e.name));
    for (const doc of ['docs/runbooks.md', 'docs/alerting.md']) {
      const text = await readFile(join(ROOT, doc), 'utf8');
      const recordedNames = [...text.matchAll(/\b[a-z_]+:[a-z0-9_]+:[a-z0-9_]+\b/g)].map((m) => m[0]);
      expect(recordedNames.length, doc).toBeGreaterThan(3);
      expect(recordedNames.filter((n) => !recorded.has(n)), doc).toEqual([]);
      const raw = [...text.matchAll(/(?<![:\w])mist_[a-z0-9_]*[a-z0-9](?![\w{:])/g)].map((m) => m[0]);
      expect(raw.length, doc).toBeGreaterThan(3);
      expect(raw.filter((n) => !catalogue.has(n)), doc).toEqual([]);
    }
  });
});
