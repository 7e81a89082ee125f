import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InventoryError, openInventory, type LiveInventory } from '../inventory/watch.js';
import type { Logger } from '../log.js';
import type { Simulator } from '../sim/simulator.js';
import { simInventory } from '../sim/views/inventory.js';
import { printProblems, PROGRAM } from './help.js';
import type { CliIo } from './types.js';

/**
 * Opens CIRCUIT_INVENTORY_FILE for the collector (undefined when unset). A bad file throws InventoryError, which
 * the command turns into `inventoryRefused` (exit 2, every problem listed) before it calls Mist.
 */
export async function openConfiguredInventory(file: string | undefined, log: Logger): Promise<LiveInventory | undefined> {
  return file === undefined ? undefined : openInventory(file, log.child({ component: 'inventory' }));
}

export function inventoryRefused(io: CliIo, command: string, err: InventoryError): number {
  return printProblems(io, `${PROGRAM} ${command}: invalid circuit inventory ${err.file} (CIRCUIT_INVENTORY_FILE)`, err.problems);
}

/**
 * Demo mode (`all` without tokens or CIRCUIT_INVENTORY_FILE): the simulator's own inventory (/__sim/inventory),
 * written to a file in the temp directory and watched like an operator's, so the demo shows contracted bandwidth.
 */
export async function openSimulatorInventory(sim: Simulator, log: Logger): Promise<LiveInventory> {
  const file = join(tmpdir(), `mist-wan-exporter-sim-inventory-${sim.org.id}.csv`);
  await writeFile(file, simInventory(sim.org, { format: 'csv' }));
  return openInventory(file, log.child({ component: 'inventory' }));
}

export { InventoryError };
