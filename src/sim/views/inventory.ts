import { stringify } from 'yaml';
import type { SimOrg } from '../model/types.js';

/** A site no simulated org has: `unknown` adds an entry for it, for tests of the unmatched-entry report. */
export const UNKNOWN_INVENTORY_SITE = 'Store 99999 Nowhere';

export interface SimInventoryOptions {
  readonly format: 'csv' | 'yaml';
  /** Add one entry for a site the org does not have. */
  readonly unknown?: boolean;
}

interface Row {
  site: string;
  port: string;
  down_mbps?: number;
  up_mbps?: number;
  bandwidth_mbps?: number;
  provider: string;
  circuit_id: string;
  role: string;
}

/**
 * The simulated org's circuit inventory, as an operator would keep it (docs/collector.md#circuit-inventory):
 * every WAN circuit with its contract, provider, circuit id and role. Keys vary by circuit, so every key form is
 * exercised: site by id or by name, port by port_id or by wan_name. Symmetric contracts use bandwidth_mbps,
 * asymmetric ones down_mbps/up_mbps. Pure.
 */
export function simInventory(org: SimOrg, opts: SimInventoryOptions): string {
  const rows: Row[] = org.wanPorts.map((port) => {
    const site = org.sites[port.siteIndex]!;
    const bandwidth = port.upMbps === port.speedMbps ? { bandwidth_mbps: port.speedMbps } : { down_mbps: port.speedMbps, up_mbps: port.upMbps };
    return {
      site: port.index % 2 === 0 ? site.id : site.name,
      port: Math.floor(port.index / 2) % 2 === 0 ? port.portId : port.wanName,
      ...bandwidth,
      provider: port.isp,
      circuit_id: port.circuitId,
      role: port.role,
    };
  });
  if (opts.unknown) rows.push({ site: UNKNOWN_INVENTORY_SITE, port: 'wan1', down_mbps: 100, up_mbps: 20, provider: 'Nowhere Cable', circuit_id: 'NOWH-00000000', role: 'primary' });
  if (opts.format === 'yaml') return `# Circuit inventory of the simulated org ${org.name}\n${stringify({ circuits: rows })}`;
  const columns = ['site', 'port', 'down_mbps', 'up_mbps', 'bandwidth_mbps', 'provider', 'circuit_id', 'role'] as const;
  const lines = rows.map((row) => columns.map((c) => csvField(row[c] === undefined ? '' : String(row[c]))).join(','));
  return `# Circuit inventory of the simulated org ${org.name}\n${columns.join(',')}\n${lines.join('\n')}\n`;
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) || value.startsWith('#') ? `"${value.replace(/"/g, '""')}"` : value;
}
