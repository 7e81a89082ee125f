import { spawn } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { datasourceVariable } from '../../src/dashboards/build.js';
import { DOC_BEGIN, DOC_END, renderDashboardsDoc, spliceDashboardsDoc } from '../../src/dashboards/docs.js';
import { DATASOURCE_UID, generateDashboards, renderDashboards } from '../../src/dashboards/index.js';
import { loadKpiConfig } from '../../src/rules/index.js';

/**
 * The checked-in dashboards are what the generator makes (`npm run dashboards -- --check`, as CI runs it), the
 * generated part of docs/dashboards.md is current, and the provisioning files Grafana reads parse and point at
 * the fixed datasource uid and the dashboards' path.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const KPI = loadKpiConfig(join(ROOT, 'prometheus/kpi-config.yml'));
const DOC = join(ROOT, 'docs/dashboards.md');
/** Where docker-compose.yml (and any Grafana install following docs/dashboards.md) mounts grafana/dashboards. */
const DASHBOARDS_PATH = '/var/lib/grafana/dashboards/mist-wan';

function genDashboards(args: readonly string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(ROOT, 'node_modules/.bin/tsx'), [join(ROOT, 'scripts/gen-dashboards.ts'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(entries.map((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : Promise.resolve([join(dir, e.name)]))));
  return nested.flat();
}

describe('generated dashboards are current', () => {
  let scratch: string;
  beforeAll(async () => { scratch = await mkdtemp(join(tmpdir(), 'dashboards-gen-')); });
  afterAll(async () => { if (scratch) await rm(scratch, { recursive: true, force: true }); });

  it('the checked-in JSON is what the generator makes', async () => {
    const expected = renderDashboards(KPI);
    const onDisk = (await readdir(join(ROOT, 'grafana/dashboards'))).filter((f) => f.endsWith('.json')).sort();
    expect(onDisk).toEqual([...expected.keys()].sort());
    for (const [f, text] of expected) expect(await readFile(join(ROOT, 'grafana/dashboards', f), 'utf8'), f).toBe(text);
  });

  it('`npm run dashboards -- --check` passes, and fails on a changed, a missing and a left-over file', async () => {
    const ok = await genDashboards(['--check']);
    expect(ok.output).toMatch(/\d+ generated dashboards and the dashboards doc are current/);
    expect(ok.code).toBe(0);

    const copy = join(scratch, 'dashboards');
    await cp(join(ROOT, 'grafana/dashboards'), copy, { recursive: true });
    const [first, second] = [...renderDashboards(KPI).keys()];
    await writeFile(join(copy, first!), (await readFile(join(copy, first!), 'utf8')).replace('"refresh"', '"refresh" '));
    await writeFile(join(copy, 'mist-wan-old.json'), '{}\n');
    if (second) await rm(join(copy, second));
    const stale = await genDashboards(['--check', '--out', copy]);
    expect(stale.output).toContain(`${first} differs from what the generator makes`);
    expect(stale.output).toContain('mist-wan-old.json is not generated any more');
    if (second) expect(stale.output).toContain(`${second} differs from what the generator makes`);
    expect(stale.code).toBe(1);
  });

  it('--check fails when the generated part of docs/dashboards.md is stale, and refuses a doc without markers', async () => {
    const doc = await readFile(DOC, 'utf8');
    const edited = join(scratch, 'edited.md');
    await writeFile(edited, doc.replace('**Questions it answers**', '**Questions**'));
    const stale = await genDashboards(['--check', '--docs', edited]);
    expect(stale.output).toContain('edited.md (its generated part) differs from what the generator makes');
    expect(stale.code).toBe(1);
    const bare = join(scratch, 'bare.md');
    await writeFile(bare, '# Dashboards\n');
    const refused = await genDashboards(['--check', '--docs', bare]);
    expect(refused.output).toContain('lacks the markers');
    expect(refused.code).toBe(2);
  });
});

describe('docs/dashboards.md', () => {
  const boards = generateDashboards(KPI);

  it('holds the generated part as the generator makes it, between its markers', async () => {
    const doc = await readFile(DOC, 'utf8');
    expect(doc.indexOf(DOC_BEGIN)).toBeGreaterThan(0);
    expect(doc.indexOf(DOC_END)).toBeGreaterThan(doc.indexOf(DOC_BEGIN));
    expect(spliceDashboardsDoc(doc, renderDashboardsDoc(boards))).toBe(doc);
  });

  it('presents every dashboard: title, uid, each question, each panel title', async () => {
    const doc = await readFile(DOC, 'utf8');
    for (const d of boards) {
      expect(doc).toContain(`<a id="${d.uid}"></a>\n### ${d.title}`);
      expect(doc).toContain(`uid \`${d.uid}\``);
      const questions = d.panels.find((p) => p.type === 'text');
      for (const line of String((questions as { options: { content?: unknown } }).options.content).split('\n')) expect(doc, d.uid).toContain(line);
    }
  });

  it('the README points to it', async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toMatch(/^## Dashboards$/m);
    expect(readme).toContain('docs/dashboards.md');
  });
});

describe('Grafana provisioning (grafana/provisioning)', () => {
  interface DatasourceFile { apiVersion: number; datasources: { name: string; type: string; uid: string; url: string; access: string; jsonData?: Record<string, unknown> }[] }
  interface ProviderFile { apiVersion: number; providers: { name: string; type: string; folder?: string; options: { path: string } }[] }

  it('every file parses as YAML with apiVersion 1', async () => {
    const files = await filesUnder(join(ROOT, 'grafana/provisioning'));
    expect(files.map((f) => relative(ROOT, f)).sort()).toEqual(['grafana/provisioning/dashboards/mist-wan.yml', 'grafana/provisioning/datasources/prometheus.yml']);
    for (const f of files) expect((parse(await readFile(f, 'utf8')) as { apiVersion: unknown }).apiVersion, f).toBe(1);
  });

  it('the datasource is Prometheus with the fixed uid the dashboards default to', async () => {
    const file = parse(await readFile(join(ROOT, 'grafana/provisioning/datasources/prometheus.yml'), 'utf8')) as DatasourceFile;
    expect(file.datasources).toHaveLength(1);
    const [ds] = file.datasources;
    expect(ds).toMatchObject({ type: 'prometheus', uid: DATASOURCE_UID, access: 'proxy' });
    expect(ds!.url).toMatch(/^\$\{PROMETHEUS_URL:-http:\/\/prometheus:9090\}$/);
    expect(ds!.jsonData).toMatchObject({ prometheusType: 'Prometheus' });
    expect(String(ds!.jsonData?.timeInterval)).toMatch(/^\d+s$/);
    expect(datasourceVariable().current?.value).toBe(DATASOURCE_UID);
  });

  it('the file provider reads the path the dashboards are mounted at, into one folder', async () => {
    const file = parse(await readFile(join(ROOT, 'grafana/provisioning/dashboards/mist-wan.yml'), 'utf8')) as ProviderFile;
    expect(file.providers).toHaveLength(1);
    expect(file.providers[0]).toMatchObject({ type: 'file', folder: 'Mist WAN', options: { path: DASHBOARDS_PATH } });
  });
});
