import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { ENV_VARS } from '../../src/config/index.js';
import { DEMO_TOKEN } from '../../src/sim/options.js';
import { resolvedCompose, runCompose, type ComposeService } from '../support/compose.js';
import { readInventoryFile } from '../../src/inventory/load.js';
import { runTool } from '../support/prom-cli.js';
import { startTestSim } from '../support/sim-server.js';
import { startPrometheus } from '../support/prometheus.js';

/**
 * docker-compose.yml, checked without a Docker engine: Debian's docker-compose validates and resolves it
 * (`config -q`, per profile), the Prometheus and Alertmanager files are checked as the containers see them
 * (promtool, amtool, and a real Prometheus started with the stack's flags), and the structure the README promises
 * (HA pair, two exporters, health-gated order, the sim profile, mounts) is asserted on the resolved config.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const raw = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
const scratch = mkdtempSync(join(tmpdir(), 'compose-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const runNode = (args: readonly string[]): Promise<{ status: number; stderr: string }> => new Promise((resolve) => {
  execFile(process.execPath, args, { timeout: 30_000 }, (err, _stdout, stderr) => resolve({ status: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stderr }));
});
const APP_IMAGE = 'mist-wan-exporter:latest';
const both = resolvedCompose(ROOT, ['sim', 'mist']);
const services = both.services;
const isApp = (s: ComposeService): boolean => s.image === APP_IMAGE;
/** What each app service fixes instead of passing the user's value through (and why: see docker-compose.yml). */
const FIXED: Record<string, string> = {
  REDIS_URL: 'redis://:mist-wan-demo@redis:6379/0',
  EXPORTER_HOST: '0.0.0.0',
  EXPORTER_PORT: '19730',
  SIM_PORT: '9730',
};
/** `${NAME…}` references in the compose file. */
const referenced = [...new Set([...raw.matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]!))].sort();
const stackVars = referenced.filter((n) => !ENV_VARS.some((v) => v.name === n));

describe('docker-compose.yml', () => {
  it.each([[[]], [['sim']], [['mist']], [['sim', 'mist']]])('docker-compose %j config -q accepts it', (profiles: string[]) => {
    const r = runCompose([...profiles.flatMap((p) => ['--profile', p]), 'config', '-q'], ROOT);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('the check is live: a broken copy is refused', () => {
    const broken = join(scratch, 'broken.yml');
    writeFileSync(broken, raw.replace('condition: service_healthy', 'condition: service_happy'));
    const r = runCompose(['-f', broken, '--project-directory', ROOT, 'config', '-q'], ROOT);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/service_happy/);
  });

  it('runs Redis with AOF, a volume and a password, and every app service reaches it with that password', () => {
    const redis = services.redis!;
    expect(redis.command).toEqual(expect.arrayContaining(['--appendonly', 'yes', '--requirepass', 'mist-wan-demo']));
    expect(redis.volumes).toContain('redis-data:/data:rw');
    expect(redis.healthcheck?.test?.join(' ')).toContain('ping');
    const custom = resolvedCompose(ROOT, ['sim', 'mist'], { STACK_REDIS_PASSWORD: 's3cretpass' }).services;
    expect(custom.redis!.command).toContain('s3cretpass');
    for (const [name, s] of Object.entries(custom).filter(([, s]) => isApp(s) && s.environment?.REDIS_URL !== undefined)) {
      expect(s.environment!.REDIS_URL, name).toBe('redis://:s3cretpass@redis:6379/0');
    }
  });

  it('has a collector HA pair per profile, two exporters, and the simulator only in the sim profile', () => {
    const byCommand = (cmd: string, profile?: string) => Object.entries(services)
      .filter(([, s]) => s.command?.[0] === cmd && (profile === undefined || s.profiles?.includes(profile))).map(([n]) => n).sort();
    expect(byCommand('collector', 'mist')).toEqual(['collector-1', 'collector-2']);
    expect(byCommand('collector', 'sim')).toEqual(['sim-collector-1', 'sim-collector-2']);
    expect(byCommand('exporter')).toEqual(['mist-exporter-1', 'mist-exporter-2']);
    expect(Object.values(services).filter((s) => s.command?.[0] === 'exporter').every((s) => s.profiles === undefined)).toBe(true);
    expect(services['mist-sim']!.profiles).toEqual(['sim']);
    expect(services['mist-sim']!.command).toEqual(['sim', '--host', '0.0.0.0', '--port', '9730']);
  });

  it('the sim profile needs no token: its collectors use the simulator and its demo token, and its inventory', () => {
    for (const name of ['sim-collector-1', 'sim-collector-2']) {
      const env = services[name]!.environment!;
      expect(env.MIST_HOST).toBe('http://mist-sim:9730');
      expect(env.MIST_API_TOKENS).toBe(DEMO_TOKEN);
      expect(env.CIRCUIT_INVENTORY_FILE).toBe('/sim-inventory/circuits.csv');
      expect(services[name]!.depends_on?.['sim-inventory']?.condition).toBe('service_completed_successfully');
    }
    expect(services['sim-inventory']!.entrypoint?.at(-1)).toBe('http://mist-sim:9730/__sim/inventory?format=csv');
    // With a real org's settings in .env, the sim collectors still use the simulator.
    const withOrg = resolvedCompose(ROOT, ['sim'], { MIST_API_TOKENS: 'real-token-123456', MIST_HOST: 'api.eu.mist.com' }).services;
    expect(withOrg['sim-collector-1']!.environment!.MIST_API_TOKENS).toBe(DEMO_TOKEN);
    expect(withOrg['collector-1']!.environment!.MIST_API_TOKENS).toBe('real-token-123456');
    expect(withOrg['collector-1']!.environment!.MIST_HOST).toBe('api.eu.mist.com');
  });

  it('the sim-inventory step fetches the simulator\'s inventory as a file the collector accepts', async () => {
    const step = services['sim-inventory']!;
    const [bin, ...args] = step.entrypoint!;
    expect(bin).toBe('node');
    const out = join(scratch, 'sim-inventory');
    mkdirSync(out);
    const sim = await startTestSim({ sites: 20 });
    try {
      // Its arguments, pointed at this simulator and this folder instead of mist-sim:9730 and the volume.
      const local = args.map((a) => a.replace('/sim-inventory/', `${out}/`).replace('http://mist-sim:9730', sim.url));
      // Asynchronously: the simulator answers from this process.
      const r = await runNode(local);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const inventory = await readInventoryFile(join(out, 'circuits.csv'));
      expect(inventory.entries.length).toBeGreaterThanOrEqual(20);
      const dead = await runNode(local.map((a) => a.replace(sim.url, 'http://127.0.0.1:1')));
      expect(dead.status).not.toBe(0);
    } finally {
      await sim.close();
    }
  });

  it('passes every variable of the config module to every app service (a new variable must be added here)', () => {
    const appServices = Object.entries(services).filter(([n, s]) => isApp(s) && n !== 'sim-inventory');
    expect(appServices.length).toBe(7);
    const given = Object.fromEntries(ENV_VARS.map((v) => [v.name, `given-${v.name}`]));
    const resolved = resolvedCompose(ROOT, ['sim', 'mist'], given).services;
    for (const [name] of appServices) {
      const env = resolved[name]!.environment ?? {};
      for (const v of ENV_VARS) {
        expect(Object.keys(env), `${name} is not given ${v.name}`).toContain(v.name);
        const fixedHere = FIXED[v.name] !== undefined || name.startsWith('sim-collector');
        if (!fixedHere) expect(env[v.name], `${name} ${v.name}`).toBe(`given-${v.name}`);
      }
      for (const [k, value] of Object.entries(FIXED)) expect(env[k], `${name} ${k}`).toBe(value);
    }
  });

  it('starts in health-gated order: every dependency is waited on, and has a health check', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
        expect(['service_healthy', 'service_completed_successfully'], `${name} → ${dep}`).toContain(condition);
        if (condition === 'service_healthy') expect(services[dep]!.healthcheck?.test, `${dep} has a health check`).toBeTruthy();
      }
    }
    const deps = (n: string) => Object.keys(services[n]!.depends_on ?? {}).sort();
    expect(deps('mist-exporter-1')).toEqual(['redis']);
    expect(deps('collector-1')).toEqual(['redis']);
    expect(deps('sim-collector-1')).toEqual(['mist-sim', 'redis', 'sim-inventory']);
    expect(deps('prometheus')).toEqual(['alertmanager', 'mist-exporter-1', 'mist-exporter-2']);
    expect(deps('grafana')).toEqual(['prometheus']);
    for (const s of Object.values(services).filter(isApp).filter((x) => x.healthcheck?.test?.[0] !== 'NONE')) {
      expect(s.healthcheck?.test).toEqual(['CMD', 'node', 'dist/healthcheck.js']);
    }
  });

  it('mounts Prometheus\' rules and alerts, Alertmanager\'s config and Grafana\'s provisioning and dashboards, all existing', () => {
    const mounts = (n: string) => (services[n]!.volumes ?? []).filter((v) => v.startsWith('/')).map((v) => v.split(':').slice(0, 2) as [string, string]);
    const rel = (p: string) => p.slice(ROOT.length).replace(/^\//, '');
    expect(mounts('prometheus').map(([h, c]) => [rel(h), c])).toEqual([
      ['prometheus/prometheus.yml', '/etc/prometheus/prometheus.yml'],
      ['prometheus/rules', '/etc/prometheus/rules'],
      ['prometheus/alerts', '/etc/prometheus/alerts'],
    ]);
    expect(mounts('alertmanager').map(([h, c]) => [rel(h), c])).toEqual([['prometheus/alertmanager.yml', '/etc/alertmanager/alertmanager.yml']]);
    const provider = parse(readFileSync(join(ROOT, 'grafana/provisioning/dashboards/mist-wan.yml'), 'utf8')) as { providers: { options: { path: string } }[] };
    expect(mounts('grafana').map(([h, c]) => [rel(h), c])).toEqual([
      ['grafana/provisioning', '/etc/grafana/provisioning'],
      ['grafana/dashboards', provider.providers[0]!.options.path],
    ]);
    expect(services.grafana!.environment!.PROMETHEUS_URL).toBe('http://prometheus:9090');
    for (const [n, s] of Object.entries(services)) for (const v of s.volumes ?? []) if (v.startsWith('/')) expect(existsSync(v.split(':')[0]!), `${n}: ${v}`).toBe(true);
  });

  it('Grafana\'s anonymous viewer is off unless STACK_GRAFANA_ANONYMOUS=true', () => {
    expect(services.grafana!.environment).toMatchObject({ GF_AUTH_ANONYMOUS_ENABLED: 'false', GF_AUTH_ANONYMOUS_ORG_ROLE: 'Viewer' });
    const on = resolvedCompose(ROOT, [], { STACK_GRAFANA_ANONYMOUS: 'true' }).services.grafana!;
    expect(on.environment!.GF_AUTH_ANONYMOUS_ENABLED).toBe('true');
  });

  it('Prometheus scrapes the stack\'s exporter services and sends to its Alertmanager', () => {
    const prom = parse(readFileSync(join(ROOT, 'prometheus/prometheus.yml'), 'utf8')) as {
      scrape_configs: { static_configs: { targets: string[] }[] }[]; alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
    };
    const targets = prom.scrape_configs.flatMap((j) => j.static_configs.flatMap((c) => c.targets));
    expect(targets.sort()).toEqual(['mist-exporter-1:19730', 'mist-exporter-2:19730']);
    for (const t of targets) {
      const [host, port] = t.split(':');
      expect(services[host!]?.environment?.EXPORTER_PORT).toBe(port);
    }
    expect(prom.alerting.alertmanagers[0]!.static_configs[0]!.targets).toEqual(['alertmanager:9093']);
    expect(services.alertmanager).toBeDefined();
  });

  describe('Prometheus and Alertmanager files as the containers see them', () => {
    /** The container's filesystem, from the compose mounts. */
    const layout = join(scratch, 'container');
    for (const n of ['prometheus', 'alertmanager']) {
      for (const v of services[n]!.volumes ?? []) {
        if (!v.startsWith('/')) continue;
        const [host, inside] = v.split(':') as [string, string];
        mkdirSync(dirname(join(layout, inside)), { recursive: true });
        cpSync(host, join(layout, inside), { recursive: true });
      }
    }
    const ruleFiles = ['rules', 'alerts'].flatMap((d) => readdirSync(join(ROOT, 'prometheus', d)).filter((f) => f.endsWith('.yml')).map((f) => `${d}/${f}`));

    it('promtool check config: valid, and every rule and alert file is found through the mounts', async () => {
      const r = await runTool('promtool', ['check', 'config', join(layout, 'etc/prometheus/prometheus.yml')]);
      expect(r.output).toContain('is valid prometheus config file syntax');
      expect(r.code).toBe(0);
      expect(ruleFiles.length).toBeGreaterThanOrEqual(4);
      for (const f of ruleFiles) expect(r.output).toContain(`Checking ${join(layout, 'etc/prometheus', f)}`);
    });

    it('amtool check-config: valid', async () => {
      const r = await runTool('amtool', ['check-config', join(layout, 'etc/alertmanager/alertmanager.yml')]);
      expect(r.output).toContain('SUCCESS');
      expect(r.code).toBe(0);
    });

    it('a real Prometheus starts with the stack\'s flags and loads every rule group', async () => {
      const flags = (services.prometheus!.command ?? []).filter((f) => !/^--(config\.file|storage\.tsdb\.path)=/.test(f));
      expect(flags).toContain('--storage.tsdb.retention.time=400d');
      const files = Object.fromEntries(ruleFiles.map((f) => [f, readFileSync(join(ROOT, 'prometheus', f), 'utf8')]));
      const prom = await startPrometheus({ config: readFileSync(join(ROOT, 'prometheus/prometheus.yml'), 'utf8'), files, args: flags, readyTimeoutMs: 60_000 });
      try {
        const status = await prom.api<Record<string, string>>('status/flags');
        expect(status['storage.tsdb.retention.time']).toBe('400d');
        expect(status['web.enable-lifecycle']).toBe('true');
        const groups = (await prom.api<{ groups: unknown[] }>('rules')).groups;
        const expected = Object.values(files).reduce((n, text) => n + (parse(text) as { groups: unknown[] }).groups.length, 0);
        expect(groups.length).toBe(expected);
      } finally {
        await prom.stop();
      }
    }, 90_000);
  });

  it('its own settings are STACK_ variables, documented in its header and the README, clear of the program\'s prefixes', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const header = raw.split('\nx-app:')[0]!;
    expect(stackVars.length).toBeGreaterThan(0);
    const programPrefixes = new Set(ENV_VARS.map((v) => `${v.name.split('_')[0]}_`));
    for (const name of stackVars) {
      expect(name.startsWith('STACK_'), `${name}: compose-only settings are STACK_*`).toBe(true);
      expect(programPrefixes.has('STACK_')).toBe(false);
      expect(header, `${name} in the compose file's header`).toMatch(new RegExp(`#\\s+${name}\\s`));
      expect(readme, `${name} in README`).toContain(`\`${name}\``);
    }
  });
});
