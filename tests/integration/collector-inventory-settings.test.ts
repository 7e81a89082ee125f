import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareCollector, type PreparedCollector } from '../../src/collect/collector.js';
import { loadConfig } from '../../src/config/index.js';
import { openInventory, type LiveInventory } from '../../src/inventory/watch.js';
import { UNKNOWN_INVENTORY_SITE } from '../../src/sim/views/inventory.js';
import { MemoryStore } from '../../src/store/memory.js';
import { captureLog } from '../support/redis-store.js';
import { startTestSim, type TestSim } from '../support/sim-server.js';

/** The collector's families see the live inventory: the file as loaded, and a changed file without a restart. */
describe('collector settings carry the live circuit inventory', () => {
  let sim: TestSim;
  let dir: string;
  let live: LiveInventory;
  let prepared: PreparedCollector;

  beforeAll(async () => {
    sim = await startTestSim({ sites: 20 });
    dir = await mkdtemp(join(tmpdir(), 'collector-inventory-'));
    const file = join(dir, 'circuits.yaml');
    await writeFile(file, await (await fetch(`${sim.url}/__sim/inventory?format=yaml`)).text());
    live = await openInventory(file, captureLog('warn').log, { pollMs: 60_000 });
    const config = loadConfig({ MIST_API_TOKENS: sim.token, MIST_HOST: sim.url, LOG_LEVEL: 'warn', CIRCUIT_INVENTORY_FILE: file }, { envFile: '/nonexistent' });
    expect(config.collector.inventoryFile).toBe(file);
    prepared = await prepareCollector(config, captureLog('warn').log, { store: new MemoryStore({}), inventory: live.source });
  });
  afterAll(async () => {
    live?.close();
    await prepared?.api.close();
    await sim?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('FamilySettings.inventory returns the loaded file, with its status, and follows a change', async () => {
    const settings = prepared.schedulerDeps.settings;
    expect(settings.inventory()!.entries).toHaveLength(sim.sim.org.wanPorts.length);
    expect(settings.inventory.status!()).toMatchObject({ ok: true, entries: sim.sim.org.wanPorts.length, loads: 1 });

    await writeFile(live.source()!.source, await (await fetch(`${sim.url}/__sim/inventory?format=yaml&unknown=1`)).text());
    expect(await live.check(true)).toBe(true);
    expect(settings.inventory()!.entries.map((e) => e.site)).toContain(UNKNOWN_INVENTORY_SITE);
    expect(settings.inventory.status!()).toMatchObject({ ok: true, entries: sim.sim.org.wanPorts.length + 1, loads: 2 });
  });
});
