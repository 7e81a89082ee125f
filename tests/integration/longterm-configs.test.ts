import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { FAMILY_CATALOGUES } from '../../src/families/registry.js';
import { SELF_METRICS } from '../../src/metrics/catalogue/index.js';
import { DEFAULT_KPI_CONFIG, R } from '../../src/rules/index.js';
import { recordingRuleFiles } from '../../src/rules/recording/index.js';
import { runCompose } from '../support/compose.js';
import { keepRegex, keptRawNames, longtermConfig, readYaml, ROOT, type PrometheusYaml, type RemoteWrite } from '../support/longterm.js';
import { MIMIR_KEYS, mimirDurationSeconds, THANOS_FLAGS, THANOS_OBJSTORE_TYPES, thanosDurationSeconds, unknownKeys } from '../support/longterm-schemas.js';
import { schemaProblems } from '../support/kube-schema.js';
import { runTool } from '../support/prom-cli.js';

/**
 * The long-term storage examples (prometheus/long-term/), checked with the tools that run here: promtool check
 * config on every Prometheus configuration (as the container sees it: beside rules/ and alerts/), docker-compose
 * config on the compose files, and for Mimir and Thanos (which do not run here) their keys and flags against the
 * documented ones (tests/support/longterm-schemas.ts). The keep rule is checked against the catalogue, the
 * recorded names and the dashboards' 13-month panels. The data path itself: longterm-victoria.test.ts.
 */

const LT = join(ROOT, 'prometheus/long-term');
/** The daily-only keep regex docs/long-term.md offers (a comment in the shipped configs). */
const LEAN_REGEX = '.+:.+1d|mist_site_info|mist_wan_port_info';
const scratch = mkdtempSync(join(tmpdir(), 'longterm-configs-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const shipped = readYaml<PrometheusYaml>(join(ROOT, 'prometheus/prometheus.yml'));
const longterm = longtermConfig();
const vmQueue = longterm.remote_write![0]!;
const snippets = { mimir: readYaml<{ remote_write: RemoteWrite[] }>(join(LT, 'mimir/remote-write.yml')), thanos: readYaml<{ remote_write: RemoteWrite[] }>(join(LT, 'thanos/remote-write.yml')) };

/** promtool check config of `config` placed where the container mounts prometheus.yml (next to rules/, alerts/). */
async function checkAsMounted(name: string, config: unknown): Promise<{ code: number | null; output: string }> {
  const dir = join(scratch, name);
  cpSync(join(ROOT, 'prometheus'), dir, { recursive: true });
  writeFileSync(join(dir, 'prometheus.yml'), stringify(config));
  return runTool('promtool', ['check', 'config', 'prometheus.yml'], dir);
}

const catalogueNames = [
  ...FAMILY_CATALOGUES.flatMap((c) => [...c.groups.flatMap((g) => g.metrics.map((m) => m.name)), ...(c.counters ?? []).map((d) => d.name)]),
  ...SELF_METRICS.map((m) => m.name),
];

/** Raw names the shipped dashboards read in the queries holding a 13-month range (`[395d]`). */
function rawNamesOfLongPanels(): string[] {
  const names = new Set<string>();
  const catalogue = new Set(catalogueNames);
  for (const f of readdirSync(join(ROOT, 'grafana/dashboards')).filter((x) => x.endsWith('.json'))) {
    const text = readFileSync(join(ROOT, 'grafana/dashboards', f), 'utf8');
    for (const m of text.matchAll(/"expr": "((?:[^"\\]|\\.)*)"/g)) {
      const expr = JSON.parse(`"${m[1]!}"`) as string;
      if (!expr.includes('[395d]')) continue;
      for (const n of expr.match(/(?<![a-z0-9_:])[a-z_][a-z0-9_]*(?![a-z0-9_:])/g) ?? []) if (catalogue.has(n)) names.add(n);
    }
  }
  return [...names].sort();
}

describe('long-term storage examples (prometheus/long-term)', () => {
  it('prometheus/long-term/prometheus.yml is the shipped prometheus.yml plus external_labels and remote_write', () => {
    const { remote_write: rw, ...rest } = structuredClone(longterm);
    const { external_labels: labels, ...global } = rest.global ?? {};
    expect(rw).toHaveLength(1);
    expect(labels).toEqual({ prometheus: 'mist-wan' });
    expect({ ...rest, global }).toEqual(shipped);
  });

  it.each([
    ['VictoriaMetrics (prometheus/long-term/prometheus.yml)', longterm],
    ['Mimir (mimir/remote-write.yml)', { ...longterm, remote_write: snippets.mimir.remote_write }],
    ['Thanos Receive (thanos/remote-write.yml)', { ...longterm, remote_write: snippets.thanos.remote_write }],
  ])('promtool check config, as mounted beside the rules: %s', async (name, config) => {
    const r = await checkAsMounted(name.split(' ')[0]!.toLowerCase(), config);
    expect(r.output).toContain('is valid prometheus config file syntax');
    expect(r.output).toMatch(/SUCCESS: [1-9]\d* rule files found/);
    expect(r.code).toBe(0);
  });

  it('Mimir and Thanos take the same keep rule and queue as VictoriaMetrics, only the url differs', () => {
    for (const [store, doc] of Object.entries(snippets)) {
      expect(doc.remote_write, store).toHaveLength(1);
      const { url, ...rest } = doc.remote_write[0]!;
      const { url: _vmUrl, ...vm } = vmQueue;
      expect(rest, store).toEqual(vm);
      expect(url, store).toMatch(store === 'mimir' ? /\/api\/v1\/push$/ : /\/api\/v1\/receive$/);
    }
  });

  it('the keep rule passes every recorded name and, of the raw metrics, only those the 13-month panels join', () => {
    const keep = keepRegex(vmQueue);
    expect(Object.values(R).filter((n) => !keep.test(n)), 'recorded names dropped').toEqual([]);
    const raw = catalogueNames.filter((n) => keep.test(n));
    expect(raw.sort()).toEqual(keptRawNames(vmQueue).sort());
    // Precise: exactly the raw names the dashboards' 13-month queries read (site and circuit names, regions).
    expect(rawNamesOfLongPanels()).toEqual(keptRawNames(vmQueue).sort());
    // The synthetic scrape series, the alert series and the self-metrics stay behind.
    for (const n of ['up', 'scrape_duration_seconds', 'ALERTS', 'ALERTS_FOR_STATE', 'mist_collector_last_success_timestamp_seconds']) expect(keep.test(n), n).toBe(false);
    // The check is live: with a catch-all regex every catalogue metric would pass, not the two info series.
    const all = keepRegex({ url: '', write_relabel_configs: [{ source_labels: ['__name__'], regex: '.+', action: 'keep' }] });
    expect(catalogueNames.filter((n) => all.test(n))).toEqual(catalogueNames);
    expect(catalogueNames.length).toBeGreaterThan(keptRawNames(vmQueue).length + 50);
  });

  it('the lean alternative (docs/long-term.md) keeps exactly the series the once-a-day groups record, and the info series', () => {
    const lean = new RegExp(`^(?:${LEAN_REGEX})$`);
    expect(readFileSync(join(ROOT, 'docs/long-term.md'), 'utf8')).toContain(LEAN_REGEX);
    expect(readFileSync(join(LT, 'prometheus.yml'), 'utf8')).toContain(LEAN_REGEX);
    const daily = recordingRuleFiles(DEFAULT_KPI_CONFIG, { timeScale: 1 }).flatMap((f) => f.groups)
      .filter((g) => g.interval === '1h').flatMap((g) => g.rules.map((r) => ('record' in r ? r.record : '')));
    expect(daily.length).toBeGreaterThan(30);
    expect(Object.values(R).filter((n) => lean.test(n)).sort()).toEqual([...new Set(daily)].sort());
    expect(catalogueNames.filter((n) => lean.test(n)).sort()).toEqual(keptRawNames(vmQueue).sort());
  });

  it('docker-compose config: the stack with the VictoriaMetrics overlay keeps 30 days in Prometheus, 13 months in VictoriaMetrics', () => {
    const r = runCompose(['-f', 'docker-compose.yml', '-f', 'prometheus/long-term/victoriametrics/compose.yml', '--profile', 'sim', 'config'], ROOT);
    expect(r.stderr).not.toMatch(/ERROR/);
    expect(r.code).toBe(0);
    const doc = parse(r.stdout) as { services: Record<string, { command?: string[]; environment?: Record<string, string>; volumes?: (string | { source: string; target: string })[]; depends_on?: Record<string, unknown> }> };
    const prom = doc.services.prometheus!;
    expect(prom.command).toContain('--storage.tsdb.retention.time=30d');
    const mounts = (prom.volumes ?? []).map((v) => (typeof v === 'string' ? v : `${v.source}:${v.target}`));
    expect(mounts.some((m) => m.includes('prometheus/long-term/prometheus.yml') && m.includes('/etc/prometheus/prometheus.yml'))).toBe(true);
    expect(mounts.filter((m) => m.includes('/etc/prometheus/prometheus.yml'))).toHaveLength(1);
    expect(Object.keys(prom.depends_on ?? {})).toContain('victoria-metrics');
    expect(doc.services['victoria-metrics']?.command).toContain('-retentionPeriod=13');
    expect(new URL(vmQueue.url).host).toBe('victoria-metrics:8428');
    // Grafana provisions from a path holding the shipped datasource and dashboards and the long-term datasource.
    const grafana = doc.services.grafana!;
    const dir = grafana.environment?.GF_PATHS_PROVISIONING;
    expect(dir).toBe('/etc/grafana/provisioning-longterm');
    const gm = (grafana.volumes ?? []).map((v) => (typeof v === 'string' ? v : `${v.source}:${v.target}`));
    for (const [src, target] of [['grafana/provisioning/dashboards', 'dashboards'], ['grafana/provisioning/datasources/prometheus.yml', 'datasources/prometheus.yml'], ['victoriametrics/grafana-datasource.yml', 'datasources/longterm.yml']]) {
      expect(gm.some((m) => m.includes(src!) && m.includes(`${dir}/${target}:`)), `${src} → ${dir}/${target}`).toBe(true);
    }
  });

  it('Kubernetes (Prometheus Operator): the Prometheus object passes the CRD schema and carries the same keep rule, queue and 30 days', () => {
    const obj = readYaml<{ spec: { retention: string; externalLabels: Record<string, string>; remoteWrite: { url: string; writeRelabelConfigs: { sourceLabels: string[]; regex: string; action: string }[]; queueConfig: Record<string, unknown>; metadataConfig: { send: boolean } }[] } } & Record<string, unknown>>(join(LT, 'kubernetes/prometheus.yaml'));
    expect(schemaProblems(obj)).toEqual([]);
    // The checker is live: a misspelled field is refused.
    expect(schemaProblems({ ...obj, spec: { ...obj.spec, retentionTime: '30d' } }).join()).toContain('retentionTime');
    expect(obj.spec.retention).toBe('30d');
    expect(obj.spec.externalLabels).toEqual(longterm.global?.external_labels);
    const [rw] = obj.spec.remoteWrite;
    expect(obj.spec.remoteWrite).toHaveLength(1);
    expect(rw!.writeRelabelConfigs.map((r) => ({ source_labels: r.sourceLabels, regex: r.regex, action: r.action }))).toEqual(vmQueue.write_relabel_configs);
    const camel = (k: string) => k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
    const queue = Object.fromEntries(Object.entries(vmQueue.queue_config ?? {}).map(([k, v]) => [k === 'retry_on_http_429' ? 'retryOnRateLimit' : camel(k), v]));
    expect(rw!.queueConfig).toEqual(queue);
    expect(rw!.metadataConfig).toEqual({ send: false });
  });

  it('the long-term Grafana datasource is a second prometheus-type datasource', () => {
    const ds = readYaml<{ apiVersion: number; datasources: { type: string; uid: string; url: string; isDefault?: boolean }[] }>(join(LT, 'victoriametrics/grafana-datasource.yml'));
    const main = readYaml<{ datasources: { uid: string }[] }>(join(ROOT, 'grafana/provisioning/datasources/prometheus.yml'));
    expect(ds.apiVersion).toBe(1);
    expect(ds.datasources).toHaveLength(1);
    expect(ds.datasources[0]!.type).toBe('prometheus');
    expect(ds.datasources[0]!.isDefault).toBe(false);
    expect(main.datasources.map((d) => d.uid)).not.toContain(ds.datasources[0]!.uid);
  });

  it('Mimir: documented keys only, 13-month retention, compose file valid', () => {
    const doc = readYaml<{ limits: Record<string, unknown> }>(join(LT, 'mimir/mimir.yaml'));
    expect(unknownKeys(doc, MIMIR_KEYS)).toEqual([]);
    expect(mimirDurationSeconds(String(doc.limits.compactor_blocks_retention_period))).toBeGreaterThanOrEqual(395 * 86_400);
    // The checker is live.
    expect(unknownKeys({ limits: { compactor_retention_period: '395d' }, server: { http_port: 1 } }, MIMIR_KEYS)).toEqual(['limits.compactor_retention_period', 'server.http_port']);
    expect(mimirDurationSeconds('13mo')).toBeNaN();
    const r = runCompose(['-f', 'mimir/compose.yml', 'config', '-q'], LT);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('Thanos: documented flags only, 13-month retention at every resolution, objstore config, compose file valid', () => {
    const compose = readYaml<{ services: Record<string, { command: string[] }> }>(join(LT, 'thanos/compose.yml'));
    const bad: string[] = [];
    const flags = new Map<string, string>();
    for (const [name, svc] of Object.entries(compose.services)) {
      const [component, ...args] = svc.command;
      const known = THANOS_FLAGS[component!];
      if (!known) { bad.push(`${name}: unknown component ${component}`); continue; }
      for (const a of args) {
        const flag = a.split('=')[0]!;
        if (!known.includes(flag)) bad.push(`${name}: ${flag}`);
        if (component === 'compact') flags.set(flag, a.slice(flag.length + 1));
      }
      if (['receive', 'compact', 'store'].includes(component!)) expect(args, name).toContain('--objstore.config-file=/etc/thanos/bucket.yml');
    }
    expect(bad).toEqual([]);
    for (const r of ['raw', '5m', '1h']) expect(thanosDurationSeconds(flags.get(`--retention.resolution-${r}`) ?? ''), r).toBeGreaterThanOrEqual(395 * 86_400);
    const bucket = readYaml<{ type: string; config: Record<string, unknown> }>(join(LT, 'thanos/bucket.yml'));
    expect(THANOS_OBJSTORE_TYPES).toContain(bucket.type);
    expect(Object.keys(bucket.config)).toEqual(expect.arrayContaining(['bucket', 'endpoint']));
    const r = runCompose(['-f', 'thanos/compose.yml', 'config', '-q'], LT);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});

