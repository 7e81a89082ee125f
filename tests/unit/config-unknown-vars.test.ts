import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, ENV_VARS, readConfig } from '../../src/config/index.js';
import { closest, editDistance } from '../../src/config/similar.js';
import { isServiceLink, unknownVariableWarnings, watchedPrefixes } from '../../src/config/unknown-vars.js';

const NO_FILE = join(tmpdir(), 'mist-wan-exporter-no-such-dir', '.env');
const warn = (env: Record<string, string>) => unknownVariableWarnings(Object.entries(env).map(([name, value]) => ({ name, value })));

describe('closest (did you mean)', () => {
  it('measures edits, a swap of neighbours counting once', () => {
    expect(editDistance('MIST_HOST', 'MIST_HOST')).toBe(0);
    expect(editDistance('MIST_HSOT', 'MIST_HOST')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('finds a typo, a missing or extra word ending, and nothing for a stranger', () => {
    const names = ENV_VARS.map((v) => v.name);
    expect(closest('MIST_API_TOKNES', names)).toBe('MIST_API_TOKENS');
    expect(closest('exporter_port', names)).toBe('EXPORTER_PORT');
    expect(closest('MIST_ORG_IDS', names)).toBe('MIST_ORG_ID');
    expect(closest('EXPORTER_REFRESH', names)).toBe('EXPORTER_REFRESH_SECONDS');
    expect(closest('COLLECTOR_LOCK_TTL', names)).toBe('COLLECTOR_LOCK_TTL_SECONDS');
    expect(closest('MIST_HOST_URL', names)).toBe('MIST_HOST');
    expect(closest('SIM_SPEEDUP_FACTOR', names)).toBeUndefined();
  });
});

describe('unknown variable warnings', () => {
  it('watches the prefix of every variable the config reads, derived from ENV_VARS', () => {
    expect(watchedPrefixes()).toEqual(expect.arrayContaining(['COLLECTOR_', 'EXPORTER_', 'LOG_', 'MIST_', 'REDIS_', 'SIM_', 'CIRCUIT_']));
    // A variable added to ENV_VARS is known, and its prefix watched, with no second list.
    expect(unknownVariableWarnings([{ name: 'GRAFANA_URL', value: 'x' }, { name: 'GRAFANA_URI', value: 'x' }], ['GRAFANA_URL']))
      .toEqual(['GRAFANA_URI is not a setting of this program and is ignored; did you mean GRAFANA_URL?']);
  });

  it('warns once per unknown variable with a did-you-mean, never with its value', () => {
    const warnings = warn({ MIST_API_TOKNES: 'secret-token-value', EXPORTER_PORTT: '9000', SIM_SITE: '10', MIST_HOST: 'api.mist.com', HOME: '/root', PATH: '/bin' });
    expect(warnings).toEqual([
      'MIST_API_TOKNES is not a setting of this program and is ignored; did you mean MIST_API_TOKENS?',
      'EXPORTER_PORTT is not a setting of this program and is ignored; did you mean EXPORTER_PORT?',
      'SIM_SITE is not a setting of this program and is ignored; did you mean SIM_SITES?',
    ]);
    expect(warnings.join('\n')).not.toContain('secret-token-value');
  });

  it('points to the right variable for names from other tools, or lists the prefix\'s variables', () => {
    expect(warn({ REDIS_PASSWORD: 'x', REDIS_HOST: 'redis', COLLECTOR_WORKERS: '8' })).toEqual([
      'REDIS_PASSWORD is not a setting of this program and is ignored; the password goes in REDIS_URL: redis://:password@host:6379',
      'REDIS_HOST is not a setting of this program and is ignored; Redis is configured by one URL: REDIS_URL=redis://host:6379',
      // Listed in declaration order, whatever COLLECTOR_* settings there are (COLLECTOR_INTERVALS, COLLECTOR_PROFILE, …).
      `COLLECTOR_WORKERS is not a setting of this program and is ignored; the COLLECTOR_* settings are ${ENV_VARS.map((v) => v.name).filter((n) => n.startsWith('COLLECTOR_')).join(', ')}`,
    ]);
  });

  it('ignores the variables Kubernetes and Docker links inject for Services named redis, exporter or mist-wan-exporter', () => {
    const links = {
      REDIS_PORT: 'tcp://10.0.0.7:6379', REDIS_SERVICE_HOST: '10.0.0.7', REDIS_SERVICE_PORT: '6379', REDIS_SERVICE_PORT_REDIS: '6379',
      REDIS_PORT_6379_TCP: 'tcp://10.0.0.7:6379', REDIS_PORT_6379_TCP_ADDR: '10.0.0.7', REDIS_PORT_6379_TCP_PORT: '6379', REDIS_PORT_6379_TCP_PROTO: 'tcp',
      EXPORTER_SERVICE_HOST: '10.0.0.8', MIST_WAN_EXPORTER_SERVICE_HOST: '10.0.0.9', MIST_WAN_EXPORTER_PORT: 'tcp://10.0.0.9:19730',
    };
    expect(warn(links)).toEqual([]);
    expect(isServiceLink('REDIS_PORT', '6380')).toBe(false);
    expect(warn({ REDIS_PORT: '6380' })).toHaveLength(1);
  });

  it('readConfig reports unknown variables from the environment and from the .env file, naming the file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'mist-wan-unknown-')), '.env');
    writeFileSync(file, 'SIM_SEDD=abc\nLOG_LEVEL=warn\n');
    const { config, warnings } = readConfig({ MIST_ORG_IDS: 'x' }, { envFile: file });
    expect(config.log.level).toBe('warn');
    expect(warnings).toEqual([
      'MIST_ORG_IDS is not a setting of this program and is ignored; did you mean MIST_ORG_ID?',
      `SIM_SEDD (in ${file}) is not a setting of this program and is ignored; did you mean SIM_SEED?`,
    ]);
  });

  it('a configuration error carries the warnings too (a typo is often why a setting seems missing)', () => {
    try {
      readConfig({ EXPORTER_HOST: '999.1.1.1', EXPORTER_PROT: '9000' }, { envFile: NO_FILE });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).warnings).toEqual(['EXPORTER_PROT is not a setting of this program and is ignored; did you mean EXPORTER_PORT?']);
    }
  });
});

describe('Kubernetes service links that collide with a setting', () => {
  it('EXPORTER_PORT=tcp://… (a Service named "exporter") is ignored with a warning, not a configuration error', () => {
    const { config, warnings } = readConfig({ EXPORTER_PORT: 'tcp://10.0.0.8:19730', SIM_PORT: 'tcp://10.0.0.9:9730' }, { envFile: NO_FILE });
    expect(config.exporter.port).toBe(19730);
    expect(config.sim.port).toBe(9730);
    expect(warnings).toEqual([
      'SIM_PORT holds a Kubernetes service link (a Service named "sim" in the namespace), not a port, and is ignored: set enableServiceLinks: false in the pod spec, or set SIM_PORT in it (an explicit value wins)',
      'EXPORTER_PORT holds a Kubernetes service link (a Service named "exporter" in the namespace), not a port, and is ignored: set enableServiceLinks: false in the pod spec, or set EXPORTER_PORT in it (an explicit value wins)',
    ]);
  });

  it('a real port number is still read', () => {
    expect(readConfig({ EXPORTER_PORT: '9100' }, { envFile: NO_FILE }).config.exporter.port).toBe(9100);
  });
});
