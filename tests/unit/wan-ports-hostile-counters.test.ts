import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mapWanPort } from '../../src/families/wan-ports/collect.js';

/**
 * Found by tests/hostile/input-payload-fuzz.test.ts: a negative rx/tx byte or packet count from Mist (a corrupt
 * row; Mist's counters count up from the gateway's boot) was rendered as a negative `_total` counter, which
 * Prometheus' rate() reads as a counter reset. A counter below zero is unknown: no sample, never a made-up value.
 */
describe('mapWanPort counters', () => {
  const base = { site_id: 's', mac: 'aa', port_id: 'ge-0/0/0' };

  it('a negative counter is unknown (null); zero and positive ones are kept', () => {
    const r = mapWanPort({ ...base, rx_bytes: -1, tx_bytes: 0, rx_pkts: -1e12, tx_pkts: 5 }, new Map());
    expect([r.rx_bytes, r.tx_bytes, r.rx_packets, r.tx_packets]).toEqual([null, 0, null, 5]);
  });

  it('for any number, every counter is null or a finite number ≥ 0', () => {
    fc.assert(fc.property(fc.double(), fc.double(), fc.double(), fc.double(), (a, b, c, d) => {
      const r = mapWanPort({ ...base, rx_bytes: a, tx_bytes: b, rx_pkts: c, tx_pkts: d }, new Map());
      for (const v of [r.rx_bytes, r.tx_bytes, r.rx_packets, r.tx_packets]) expect(v === null || (Number.isFinite(v) && v >= 0)).toBe(true);
    }), { seed: 7, numRuns: 500 });
  });
});
