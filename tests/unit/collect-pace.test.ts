import { describe, expect, it } from 'vitest';
import { pacer } from '../../src/collect/pace.js';
import { recordReader, type CatalogueOf } from '../../src/collect/family.js';
import { validateStored } from '../../src/families/define-records.js';
import { FAMILY_CATALOGUES } from '../../src/families/registry.js';
import { wanPortsRecords, type WanPortRecord } from '../../src/families/wan-ports/records.js';
import { dropRepeats, repeatReason } from '../../src/metrics/identity.js';

/**
 * Collector work that yields to scrapes in `all` mode (src/collect/pace.ts): reading a snapshot back in slices
 * gives the same records and drop counts as reading it whole, repeats across slices included.
 */
const ORG = 'org-1';
const port = (i: number): WanPortRecord => ({
  site_id: `site-${Math.floor(i / 2)}`, mac: `gw-${Math.floor(i / 2)}`, port_id: `ge-0/0/${i % 2}`, wan_name: `wan${(i % 2) + 1}`, wan_type: 'broadband',
  up: true, disabled: false, speed_bytes_per_second: 125_000_000, rx_bytes: i, tx_bytes: null, rx_packets: null, tx_packets: null,
  last_flapped_seconds: null, jitter_seconds: null, latency_seconds: null, loss_ratio: null,
});

describe('pacing collector work', () => {
  it('a pace function yields (a setImmediate turn) only once its slice has passed', async () => {
    const order: string[] = [];
    setImmediate(() => order.push('immediate'));
    await pacer(60_000)();
    order.push('no turn');
    await pacer(0)();
    order.push('after a turn');
    expect(order).toEqual(['no turn', 'immediate', 'after a turn']);
  });

  it('a snapshot read back in slices gives the records and drop counts of reading it whole', async () => {
    // 1,200 records: a repeat of record 5 at 900 (four slices later), one unreadable record at 600.
    const stored: unknown[] = Array.from({ length: 1200 }, (_, i) => port(i));
    stored[900] = { ...port(5), rx_bytes: 42 };
    stored[600] = { ...port(600), up: 'yes' };
    const catalogue = (FAMILY_CATALOGUES.find((c) => c.family === wanPortsRecords.name) as ReturnType<CatalogueOf>)!;
    const wholeDropped: Record<string, number> = {};
    const { records, repeats } = dropRepeats(catalogue, ORG, stored);
    if (repeats > 0) wholeDropped[repeatReason(wanPortsRecords.name)] = repeats;
    const whole = validateStored(wanPortsRecords, records, wholeDropped);

    const dropped: Record<string, number> = {};
    const read = recordReader((family) => (family === wanPortsRecords.name ? stored : null), dropped, { catalogueOf: () => catalogue, orgId: ORG });
    const sliced = await read(wanPortsRecords);
    expect(sliced).toEqual(whole);
    expect(sliced).toHaveLength(1198);
    expect(dropped).toEqual(wholeDropped);
    expect(Object.values(dropped).sort()).toEqual([1, 1]);
  });
});
