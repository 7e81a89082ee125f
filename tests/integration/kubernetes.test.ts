import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands.js';
import { ENV_VARS } from '../../src/config/index.js';
import { DEFAULT_KPI_CONFIG, renderRuleFiles } from '../../src/rules/index.js';
import { DASHBOARD_LABEL } from '../../scripts/kubernetes-manifests.js';
import { parseDockerfile } from '../support/dockerfile.js';
import { schemaProblems } from '../support/kube-schema.js';
import { runTool } from '../support/prom-cli.js';

/**
 * The Kubernetes base (deploy/kubernetes), validated offline: rendered by `kubectl kustomize` (kubectl's built-in
 * kustomize; scripts/ensure-test-services.sh installs kubectl), every object schema-checked with the npm
 * kubernetes-models packages (strict: unknown fields are refused, shown on broken copies), the generated
 * PrometheusRules and dashboard ConfigMaps current and equal to prometheus/ and grafana/, the rules promtool-checked.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'kubernetes-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

type Obj = Record<string, unknown> & { kind: string; apiVersion: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> } };
interface Container {
  name: string; image: string; args?: string[]; ports?: { name: string; containerPort: number }[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  readinessProbe?: { httpGet: { path: string; port: string } }; livenessProbe?: { httpGet: { path: string; port: string } };
  securityContext?: Record<string, unknown>;
}
interface PodSpec { containers: Container[]; securityContext?: { runAsNonRoot?: boolean; runAsUser?: number }; enableServiceLinks?: boolean; automountServiceAccountToken?: boolean }
const pod = (d: Obj): PodSpec => (d as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec;

function kustomize(dir: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
  if (r.error) throw new Error(`cannot run kubectl (${r.error.message}); install it with scripts/ensure-test-services.sh (Debian: apt-get install kubernetes-client)`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const rendered = kustomize(join(ROOT, 'deploy/kubernetes'));
const objects = rendered.code === 0 ? parseAllDocuments(rendered.stdout).map((d) => d.toJSON() as Obj) : [];
const find = (kind: string, name: string): Obj => {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind}/${name} in the rendered base`);
  return o;
};

describe('Kubernetes base', () => {
  it('kubectl kustomize renders it', () => {
    expect(rendered.stderr.replace(/^# Warning: 'commonLabels' is deprecated.*\n?/m, '')).toBe('');
    expect(rendered.code).toBe(0);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(expect.arrayContaining([
      'ConfigMap/mist-wan-settings', 'Deployment/mist-wan-collector', 'Deployment/mist-wan-exporter', 'PodDisruptionBudget/mist-wan-collector',
      'PodDisruptionBudget/mist-wan-exporter', 'Service/mist-wan-exporter', 'ServiceAccount/mist-wan-exporter', 'ServiceMonitor/mist-wan-exporter',
    ]));
    expect(objects.every((o) => o.metadata.namespace === 'mist-wan')).toBe(true);
  });

  it('every object passes its schema (kubernetes-models, Prometheus Operator CRDs), with no unknown field', () => {
    expect(objects.length).toBeGreaterThanOrEqual(15);
    expect(objects.flatMap(schemaProblems)).toEqual([]);
  });

  const breakages: [string, string, string, (o: Obj) => void, RegExp][] = [
    ['a misspelt container field', 'Deployment', 'mist-wan-collector', (o) => { Object.assign(pod(o).containers[0]!, { imagePullPolcy: 'Always' }); }, /containers\/0\/imagePullPolcy: unknown field/],
    ['a misspelt top-level field', 'Service', 'mist-wan-exporter', (o) => { o.sepc = {}; }, /\/sepc: unknown field/],
    ['replicas as text', 'Deployment', 'mist-wan-exporter', (o) => { (o.spec as Record<string, unknown>).replicas = 'two'; }, /replicas must be integer/],
    ['a misspelt ServiceMonitor endpoint field', 'ServiceMonitor', 'mist-wan-exporter', (o) => { Object.assign((o.spec as { endpoints: object[] }).endpoints[0]!, { scrapeTimout: '10s' }); }, /endpoints\/0\/scrapeTimout: unknown field/],
    ['a misspelt rule field', 'PrometheusRule', 'mist-wan-pipeline', (o) => { Object.assign((o.spec as { groups: { rules: object[] }[] }).groups[0]!.rules[0]!, { exprr: 'up' }); }, /rules\/0\/exprr: unknown field/],
  ];
  it.each(breakages)('the schema check refuses %s', (_what, kind, name, breakIt, problem) => {
    const copy = structuredClone(find(kind, name));
    expect(schemaProblems(copy)).toEqual([]);
    breakIt(copy);
    expect(schemaProblems(copy).join('\n')).toMatch(problem);
  });

  it('runs the collector as an HA pair and the exporter as replicas behind a Service, from the one image', () => {
    const collector = find('Deployment', 'mist-wan-collector');
    const exporter = find('Deployment', 'mist-wan-exporter');
    expect((collector.spec as { replicas: number }).replicas).toBe(2);
    expect((exporter.spec as { replicas: number }).replicas).toBeGreaterThanOrEqual(2);
    expect(pod(collector).containers[0]!.args).toEqual(['collector']);
    expect(pod(exporter).containers[0]!.args).toEqual(['exporter']);
    const commands = COMMANDS.map((c) => c.name);
    const uid = Number(parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8')).stages.at(-1)!.instructions.filter((i) => i.keyword === 'USER').at(-1)!.args.split(':')[0]);
    for (const d of [collector, exporter]) {
      const spec = pod(d);
      expect(spec.containers[0]!.image).toMatch(/^mist-wan-exporter(:|$)/);
      expect(commands).toContain(spec.containers[0]!.args![0]);
      expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: uid });
      expect(spec.containers[0]!.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
      expect(spec.enableServiceLinks).toBe(false);
      expect(spec.automountServiceAccountToken).toBe(false);
    }
  });

  it('gives the Mist tokens to the collector only, and every variable set is one the program reads', () => {
    const names = (d: Obj) => (pod(d).containers[0]!.env ?? []).map((e) => e.name);
    expect(names(find('Deployment', 'mist-wan-collector'))).toContain('MIST_API_TOKENS');
    expect(names(find('Deployment', 'mist-wan-exporter'))).not.toContain('MIST_API_TOKENS');
    const settings = find('ConfigMap', 'mist-wan-settings') as unknown as { data: Record<string, string> };
    const known = ENV_VARS.map((v) => v.name);
    for (const n of [...Object.keys(settings.data), ...names(find('Deployment', 'mist-wan-collector')), ...names(find('Deployment', 'mist-wan-exporter'))]) expect(known).toContain(n);
    for (const v of ENV_VARS.filter((x) => x.secret)) expect(Object.keys(settings.data), `${v.name} is a secret`).not.toContain(v.name);
  });

  it('probes the exporter on /ready and /health, and the ServiceMonitor scrapes its Service as a job the alerts watch', () => {
    const c = pod(find('Deployment', 'mist-wan-exporter')).containers[0]!;
    expect(c.readinessProbe?.httpGet).toEqual({ path: '/ready', port: 'http' });
    expect(c.livenessProbe?.httpGet).toEqual({ path: '/health', port: 'http' });
    const port = c.ports!.find((p) => p.name === 'http')!.containerPort;
    expect(String(port)).toBe(c.env!.find((e) => e.name === 'EXPORTER_PORT')!.value);
    const svc = find('Service', 'mist-wan-exporter') as unknown as { spec: { selector: Record<string, string>; ports: { name: string; port: number }[] }; metadata: { labels: Record<string, string>; name: string } };
    const sm = find('ServiceMonitor', 'mist-wan-exporter') as unknown as { spec: { selector: { matchLabels: Record<string, string> }; endpoints: { port: string; path: string; interval: string }[] } };
    const podLabels = (find('Deployment', 'mist-wan-exporter').spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
    expect(podLabels).toMatchObject(svc.spec.selector);
    expect(svc.metadata.labels).toMatchObject(sm.spec.selector.matchLabels);
    expect(svc.spec.ports.map((p) => p.name)).toContain(sm.spec.endpoints[0]!.port);
    expect(sm.spec.endpoints[0]!.path).toBe('/metrics');
    // The operator names the job after the Service.
    expect(new RegExp(`^(?:${DEFAULT_KPI_CONFIG.exporter_job})$`).test(svc.metadata.name)).toBe(true);
  });

  it('holds the generated rules as PrometheusRules, group for group, and promtool accepts them', async () => {
    const files = renderRuleFiles(DEFAULT_KPI_CONFIG);
    const rules = objects.filter((o) => o.kind === 'PrometheusRule');
    expect(rules.map((r) => r.metadata.name).sort()).toEqual([...files.keys()].map((p) => p.replace(/^.*\//, '').replace(/\.yml$/, '')).sort());
    for (const [path, text] of files) {
      const rule = find('PrometheusRule', path.replace(/^.*\//, '').replace(/\.yml$/, '')) as unknown as { spec: { groups: unknown[] } };
      expect(rule.spec.groups).toEqual((parse(text) as { groups: unknown[] }).groups);
      expect(rule.spec.groups).toEqual((parse(readFileSync(join(ROOT, 'prometheus', path), 'utf8')) as { groups: unknown[] }).groups);
      const file = join(scratch, path.replace('/', '-'));
      writeFileSync(file, stringify({ groups: rule.spec.groups }, { lineWidth: 0 }));
      const r = await runTool('promtool', ['check', 'rules', file]);
      expect(r.output, path).toMatch(/SUCCESS: \d+ rules found/);
      expect(r.code).toBe(0);
    }
  });

  it('holds every dashboard as a ConfigMap for Grafana\'s sidecar, byte for byte', () => {
    const dir = join(ROOT, 'grafana/dashboards');
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(0);
    const maps = objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard === DASHBOARD_LABEL.grafana_dashboard) as unknown as { data: Record<string, string> }[];
    expect(maps.length).toBe(files.length);
    for (const f of files) {
      const map = maps.find((m) => f in m.data);
      expect(map, f).toBeDefined();
      expect(map!.data[f]).toBe(readFileSync(join(dir, f), 'utf8'));
      expect((JSON.parse(map!.data[f]!) as { uid: string }).uid).toBe(f.replace(/\.json$/, ''));
    }
  });

  it('npm run kubernetes -- --check: the generated manifests are current, and a changed config is noticed', () => {
    const run = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/gen-kubernetes.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });
    const ok = run(['--check']);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    const changed = join(scratch, 'kpi-config.yml');
    const config = readFileSync(join(ROOT, 'prometheus/kpi-config.yml'), 'utf8');
    const edited = config.replace(/^exporter_job: .*$/m, 'exporter_job: mist-wan-exporter-elsewhere.*');
    expect(edited).not.toBe(config);
    writeFileSync(changed, edited);
    const stale = run(['--check', '--config', changed]);
    expect(stale.status).toBe(1);
    expect(stale.stderr).toContain('deploy/kubernetes/generated/prometheus-rules.yaml differs');
  });
});
