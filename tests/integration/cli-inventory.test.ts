import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildOrg } from '../../src/sim/model/org.js';
import { spawnCli } from '../support/cli-process.js';
import { freePort } from '../support/redis.js';
import { uniquePrefix } from '../support/redis-store.js';
import { startTestSim } from '../support/sim-server.js';

/** A bad circuit inventory stops `collector` and `all` at start-up with exit 2 and every problem listed (real processes). */

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-inventory-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const BAD_CSV = 'site,port,down_mbps,up_mbps,role,colour\n' +
  'Store 1,wan1,100,20,primary,red\n' +
  ',wan2,100,20,secondary,\n' +
  'Store 1,wan3,lots,0,Backup,\n' +
  'store 1,WAN1,100,20,primary,\n';
const CSV_PROBLEMS = [
  'line 1: unknown column "colour"',
  'line 3: site is missing',
  'line 4: down_mbps "lots" is not a number',
  'line 4: up_mbps 0 must be above 0',
  'line 4: role "Backup" must be lowercase',
  'line 5: site "store 1" port "WAN1" is already given at line 2',
];

async function run(args: string[], env: Record<string, string>): Promise<{ code: number | string; text: string }> {
  const p = spawnCli(args, { LOG_LEVEL: 'warn', SIM_SITES: '10', ...env });
  const code = await p.exited;
  return { code, text: p.lines.join('\n') };
}

describe('bad circuit inventory at start-up', () => {
  it.each([['collector'], ['all']])('`%s` exits 2 listing every problem, before touching Redis or Mist', async (command) => {
    const file = join(dir, `bad-${command}.csv`);
    await writeFile(file, BAD_CSV);
    // Redis on a closed port and a token that works nowhere: the file must be refused first.
    const { code, text } = await run([command], { CIRCUIT_INVENTORY_FILE: file, REDIS_URL: 'redis://127.0.0.1:1', MIST_API_TOKENS: 'not-a-real-token-1234' });
    expect(code).toBe(2);
    expect(text).toContain(`invalid circuit inventory ${file} (CIRCUIT_INVENTORY_FILE):`);
    for (const problem of CSV_PROBLEMS) expect(text).toContain(problem);
    expect(text).not.toMatch(/Redis|ECONNREFUSED|rejected/);
  });

  it('a bad YAML file lists every problem with its entry and line', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'circuits:\n  - site: S\n    port: wan1\n    bandwidth_mbps: -3\n  - port: wan2\n');
    const { code, text } = await run(['collector'], { CIRCUIT_INVENTORY_FILE: file, REDIS_URL: 'redis://127.0.0.1:1', MIST_API_TOKENS: 'not-a-real-token-1234' });
    expect(code).toBe(2);
    expect(text).toContain('entry #1 (line 2): bandwidth_mbps -3 must be above 0');
    expect(text).toContain('entry #2 (line 5): site is missing');
  });

  it('a missing file and a file name without a known extension are refused too', async () => {
    const missing = await run(['collector'], { CIRCUIT_INVENTORY_FILE: join(dir, 'nope.csv'), REDIS_URL: 'redis://127.0.0.1:1', MIST_API_TOKENS: 'not-a-real-token-1234' });
    expect(missing.code).toBe(2);
    expect(missing.text).toContain('cannot read the file: ENOENT');
    const txt = await run(['collector'], { CIRCUIT_INVENTORY_FILE: join(dir, 'circuits.txt'), REDIS_URL: 'redis://127.0.0.1:1' });
    expect(txt.code).toBe(2);
    expect(txt.text).toContain('invalid configuration');
    expect(txt.text).toMatch(/CIRCUIT_INVENTORY_FILE: ".*circuits\.txt" must end in \.csv, \.yaml or \.yml/);
  });
});

describe('a good circuit inventory at start-up', () => {
  it('`collector --once` loads it and collects', async () => {
    const sim = await startTestSim({ sites: 20 });
    try {
      const file = join(dir, 'good.csv');
      const text = await (await fetch(`${sim.url}/__sim/inventory?format=csv`)).text();
      await writeFile(file, text);
      const p = spawnCli(['collector', '--once'], {
        CIRCUIT_INVENTORY_FILE: file, MIST_API_TOKENS: sim.token, MIST_HOST: sim.url, REDIS_URL: inject('redisUrl'), STORE_KEY_PREFIX: uniquePrefix('cli-inventory'), LOG_LEVEL: 'info',
      });
      const loaded = JSON.parse(await p.waitForLine(/circuit inventory loaded/)) as { file: string; entries: number };
      expect(loaded).toMatchObject({ file, entries: sim.sim.org.wanPorts.length });
      expect(await p.exited).toBe(0);
    } finally {
      await sim.close();
    }
  }, 60_000);

  it('`all` with the simulator and no CIRCUIT_INVENTORY_FILE uses the simulated org\'s own inventory', async () => {
    const p = spawnCli(['all'], { SIM_SITES: '12', SIM_PORT: String(await freePort()), EXPORTER_HOST: '127.0.0.1', EXPORTER_PORT: String(await freePort()), LOG_LEVEL: 'info' });
    try {
      const loaded = JSON.parse(await p.waitForLine(/circuit inventory loaded/, 60_000)) as { file: string; entries: number };
      expect(loaded.file).toMatch(/mist-wan-exporter-sim-inventory-.*\.csv$/);
      expect(loaded.entries).toBe(buildOrg('mist-wan', 12).wanPorts.length);
      // No exit-code check on SIGTERM: `all` installs its signal handlers only after printing "is up".
      await p.waitForLine(/is up:/, 60_000);
    } finally {
      await p.kill('SIGKILL');
    }
  }, 90_000);
});
