import { describe, expect, it } from 'vitest';
import { DEFAULT_CIRCUIT_ROLES, parseCircuitRoles, roleRanker } from '../../src/collect/circuit-roles.js';
import { runCycle, type CycleDeps } from '../../src/collect/cycle.js';
import { defaultFamilySettings } from '../../src/collect/family.js';
import { activeCircuit } from '../../src/families/circuits/collect.js';
import { circuitsFamily } from '../../src/families/circuits/index.js';
import type { CircuitsRecord } from '../../src/families/circuits/records.js';
import type { VpnPathRecord } from '../../src/families/vpn-peers/records.js';
import type { WanPortRecord } from '../../src/families/wan-ports/records.js';
import { repeatReason } from '../../src/metrics/identity.js';
import type { MistApi } from '../../src/mist/types.js';
import { WAN_PORT_ACTIVE_CHANGES, WAN_PORT_FAILOVERS } from '../../src/store/counters.js';
import { MemoryStore } from '../../src/store/memory.js';
import { captureLog } from '../support/redis-store.js';

/**
 * ctx.readRecords removes repeats by the renderer's rule (src/metrics/identity.ts) before a join sees them: the
 * circuits family reading a vpn-peers snapshot whose walk was resumed (its overlap stored one active path twice)
 * counts that path once, so the gateway's active circuit does not flip (no false failover).
 */
const ORG = 'org-1';
const SITE = 'site-1';
const RULES = parseCircuitRoles(DEFAULT_CIRCUIT_ROLES).rules;
const noApi: MistApi = {
  pages: () => { throw new Error('circuits must not call Mist'); },
  getOne: () => Promise.reject(new Error('circuits must not call Mist')),
  count: () => Promise.reject(new Error('circuits must not call Mist')),
};

const wanPort = (port_id: string, wan_name: string): WanPortRecord => ({
  site_id: SITE, mac: 'gw1', port_id, wan_name, wan_type: 'broadband', up: true, disabled: false, speed_bytes_per_second: 125_000_000,
  rx_bytes: null, tx_bytes: null, rx_packets: null, tx_packets: null, last_flapped_seconds: null, jitter_seconds: null, latency_seconds: null, loss_ratio: null,
});
/** wan1 primary, wan2 secondary (default CIRCUIT_ROLES). */
const PORTS = [wanPort('ge-0/0/0', 'wan1'), wanPort('ge-0/0/1', 'wan2')];
/** An active path of gw1's port to a hub: one per port, so the ports tie and role order keeps the primary. */
const activePath = (port_id: string, peer_mac: string, latency_seconds: number | null = null): VpnPathRecord => ({
  site_id: SITE, mac: 'gw1', port_id, wan_name: null, peer_mac, peer_port_id: 'ge-0/0/0', peer_wan_name: null, path_type: 'ipsec',
  peer_site_id: 'hub-site', router_name: null, peer_router_name: null, up: true, is_active: true,
  loss_ratio: null, latency_seconds, jitter_seconds: null, mos: null, mtu_bytes: null, up_since_seconds: null,
});
const CLEAN = [activePath('ge-0/0/0', 'hub1'), activePath('ge-0/0/1', 'hub2')];
/** The same paths after a resumed walk: the page before the crash is walked again, its wan2 path stored twice. */
const RESUMED = [...CLEAN, activePath('ge-0/0/1', 'hub2', 0.012)];

async function publishSnapshot(store: MemoryStore, family: string, generation: string, records: readonly unknown[]): Promise<void> {
  const key = { orgId: ORG, family };
  await store.beginGeneration(key, generation, 600_000);
  await store.putPage(key, generation, 0, JSON.stringify(records), { cursor: null, recordsKept: records.length, recordsDropped: 0 }, 600_000);
  await store.publish(key, generation, 1, {
    lastAttempt: 0, lastSuccess: 0, durationMs: 0, recordsKept: records.length, recordsDropped: 0, pages: 1, calls: 0, intervalSeconds: 60, counterDeltas: null,
  }, 600_000);
}

describe('a join reads a snapshot without its repeats (one rule: src/metrics/identity.ts)', () => {
  it('the repeated active path would flip the gateway to its secondary if counted twice', () => {
    const roles = new Map([['ge-0/0/0', 'primary'], ['ge-0/0/1', 'secondary']]);
    expect(activeCircuit(PORTS, roles, CLEAN, roleRanker(RULES))?.port_id).toBe('ge-0/0/0');
    expect(activeCircuit(PORTS, roles, RESUMED, roleRanker(RULES))?.port_id).toBe('ge-0/0/1');
  });

  it('circuits counts a resumed walk\'s repeated active path once: no false failover, the repeat dropped and counted with its reason', async () => {
    const store = new MemoryStore();
    const { log, lines } = captureLog('warn');
    const deps: CycleDeps = { store, api: noApi, log, settings: defaultFamilySettings({ circuitRoles: RULES }), now: () => Date.now() };
    const cycle = () => runCycle(deps, circuitsFamily, ORG, 60, new AbortController().signal);
    const gateway = async () => (JSON.parse((await store.readSnapshot({ orgId: ORG, family: 'circuits' }))!.pages[0]!) as CircuitsRecord[])
      .find((r) => r.kind === 'gateway');
    const moves = async () => [
      ...Object.values(await store.readCounters(WAN_PORT_FAILOVERS)), ...Object.values(await store.readCounters(WAN_PORT_ACTIVE_CHANGES)),
    ].reduce((s, n) => s + n, 0);

    await publishSnapshot(store, 'wan-ports', 'g1', PORTS);
    await publishSnapshot(store, 'vpn-peers', 'g1', CLEAN);
    expect(await cycle()).toMatchObject({ ok: true, recordsDropped: 0 });
    expect(await gateway()).toMatchObject({ active_port_id: 'ge-0/0/0', active_role: 'primary', active_source: 'vpn' });

    await publishSnapshot(store, 'vpn-peers', 'g2', RESUMED);
    const second = await cycle();
    expect(second).toMatchObject({ ok: true, recordsDropped: 1 });
    expect(await gateway()).toMatchObject({ active_port_id: 'ge-0/0/0', active_role: 'primary', active_source: 'vpn' });
    expect(await moves()).toBe(0);
    expect(lines.join('\n')).toContain(repeatReason('vpn-peers'));
  });
});
