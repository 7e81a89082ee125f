import { describe, expect, it } from 'vitest';
import { CallStatsRecorder } from '../../src/collect/call-stats.js';
import { API_RATE_LIMITED, API_REQUEST_FAILURES, API_REQUESTS, decodeLabels } from '../../src/store/counters.js';
import type { CallRecord } from '../../src/mist/types.js';
import { MemoryStore, StoreError } from '../../src/store/index.js';

const A = '0123456789ab';
const B = 'ba9876543210';
const call = (endpoint: string, status: number | null, failure: string | null, fingerprint = A): CallRecord => ({ endpoint, fingerprint, status, failure, durationMs: 12 });

/** Reads a counter group back as "label values joined by /" → total, for readable assertions. */
async function read(store: MemoryStore, group: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [field, value] of Object.entries(await store.readCounters(group))) {
    const labels = decodeLabels(field);
    expect(labels, field).not.toBeNull();
    out[Object.values(labels ?? {}).join('/')] = value;
  }
  return out;
}

/** A memory store whose counter writes fail for chosen groups, or wait until released. */
class TestStore extends MemoryStore {
  failing = new Set<string>();
  gate: Promise<void> | null = null;
  writes: string[] = [];

  override async incrementCounters(name: string, deltas: Readonly<Record<string, number>>): Promise<void> {
    this.writes.push(name);
    if (this.gate) await this.gate;
    if (this.failing.has(name)) throw new StoreError('STORE_UNAVAILABLE', 'Redis is down');
    await super.incrementCounters(name, deltas);
  }
}

describe('CallStatsRecorder', () => {
  it('counts every attempt by endpoint, failures by endpoint and reason, and 429s by token fingerprint', async () => {
    const store = new MemoryStore();
    const recorder = new CallStatsRecorder();
    recorder.record(call('self', 200, null));
    recorder.record(call('sites', 200, null));
    recorder.record(call('stats_ports_search', 503, 'E_MIST_HTTP'));
    recorder.record(call('stats_ports_search', 503, 'E_MIST_HTTP'));
    recorder.record(call('stats_ports_search', 429, 'E_MIST_RATE_LIMITED'));
    recorder.record(call('stats_ports_search', 429, 'E_MIST_RATE_LIMITED', B));
    recorder.record(call('stats_ports_search', null, 'E_MIST_TIMEOUT', B));
    recorder.record(call('stats_ports_search', 200, null));
    recorder.record(call('sites', 404, 'E_MIST_NOT_FOUND'));
    await recorder.flush(store);
    expect(await read(store, API_REQUESTS)).toEqual({ self: 1, sites: 2, stats_ports_search: 6 });
    expect(await read(store, API_REQUEST_FAILURES)).toEqual({
      'stats_ports_search/E_MIST_HTTP': 2, 'stats_ports_search/E_MIST_RATE_LIMITED': 2, 'stats_ports_search/E_MIST_TIMEOUT': 1, 'sites/E_MIST_NOT_FOUND': 1,
    });
    expect(await read(store, API_RATE_LIMITED)).toEqual({ [A]: 1, [B]: 1 });
  });

  it('writes nothing until flushed, and a flush clears what it wrote', async () => {
    const store = new MemoryStore();
    const recorder = new CallStatsRecorder();
    recorder.record(call('org', 200, null));
    expect(await store.readCounters(API_REQUESTS)).toEqual({});
    expect(recorder.pending()).toEqual({ [API_REQUESTS]: { 'endpoint=org': 1 } });
    await recorder.flush(store);
    expect(recorder.pending()).toEqual({});
    await recorder.flush(store);
    recorder.record(call('org', 200, null));
    await recorder.flush(store);
    expect(await read(store, API_REQUESTS)).toEqual({ org: 2 });
    expect(await store.readCounters(API_REQUEST_FAILURES)).toEqual({});
  });

  it('keeps the groups a failed flush could not write, and writes them once later without counting the others twice', async () => {
    const store = new TestStore();
    const recorder = new CallStatsRecorder();
    recorder.record(call('stats_ports_search', 503, 'E_MIST_HTTP'));
    recorder.record(call('stats_ports_search', 429, 'E_MIST_RATE_LIMITED'));
    store.failing.add(API_REQUEST_FAILURES);
    await expect(recorder.flush(store)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    // The other groups were still tried, and written.
    expect(store.writes.sort()).toEqual([API_RATE_LIMITED, API_REQUEST_FAILURES, API_REQUESTS]);
    expect(await read(store, API_REQUESTS)).toEqual({ stats_ports_search: 2 });
    expect(recorder.pending()).toEqual({ [API_REQUEST_FAILURES]: { 'endpoint=stats_ports_search|reason=E_MIST_HTTP': 1, 'endpoint=stats_ports_search|reason=E_MIST_RATE_LIMITED': 1 } });

    recorder.record(call('stats_ports_search', 503, 'E_MIST_HTTP'));
    await expect(recorder.flush(store)).rejects.toBeInstanceOf(StoreError);
    store.failing.clear();
    await recorder.flush(store);
    expect(await read(store, API_REQUESTS)).toEqual({ stats_ports_search: 3 });
    expect(await read(store, API_REQUEST_FAILURES)).toEqual({ 'stats_ports_search/E_MIST_HTTP': 2, 'stats_ports_search/E_MIST_RATE_LIMITED': 1 });
    expect(await read(store, API_RATE_LIMITED)).toEqual({ [A]: 1 });
    expect(recorder.pending()).toEqual({});
  });

  it('counts calls recorded during a flush in the next one, and runs concurrent flushes one after the other', async () => {
    const store = new TestStore();
    const recorder = new CallStatsRecorder();
    let release = (): void => undefined;
    store.gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    recorder.record(call('sites', 200, null));
    const first = recorder.flush(store);
    const second = recorder.flush(store);
    await Promise.resolve();
    recorder.record(call('sites', 200, null));
    recorder.record(call('sites', 503, 'E_MIST_HTTP'));
    expect(store.writes).toEqual([API_REQUESTS]); // the second flush waits for the first
    release();
    await Promise.all([first, second]);
    expect(await read(store, API_REQUESTS)).toEqual({ sites: 3 });
    expect(await read(store, API_REQUEST_FAILURES)).toEqual({ 'sites/E_MIST_HTTP': 1 });
    expect(recorder.pending()).toEqual({});
  });

  it('lets a failed write during a flush merge with calls recorded meanwhile', async () => {
    const store = new TestStore();
    const recorder = new CallStatsRecorder();
    let release = (): void => undefined;
    store.gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    store.failing.add(API_REQUESTS);
    recorder.record(call('org', 200, null));
    const flushing = recorder.flush(store);
    await Promise.resolve();
    recorder.record(call('org', 200, null));
    release();
    await expect(flushing).rejects.toBeInstanceOf(StoreError);
    expect(recorder.pending()).toEqual({ [API_REQUESTS]: { 'endpoint=org': 2 } });
    store.failing.clear();
    await recorder.flush(store);
    expect(await read(store, API_REQUESTS)).toEqual({ org: 2 });
  });

  it('adds to what earlier recorders wrote: a restarted collector keeps the counters growing', async () => {
    const store = new MemoryStore();
    for (let run = 1; run <= 3; run += 1) {
      const recorder = new CallStatsRecorder();
      recorder.record(call('self', 200, null));
      recorder.record(call('stats_devices', 429, 'E_MIST_RATE_LIMITED'));
      await recorder.flush(store);
      expect(await read(store, API_REQUESTS)).toEqual({ self: run, stats_devices: run });
      expect(await read(store, API_RATE_LIMITED)).toEqual({ [A]: run });
    }
  });

  it('never writes a token, only a fingerprint ("invalid" when the record carries anything else)', async () => {
    const token = 'Zx9sQpL3mN7vB2kR8tY4wE6uI1oP5aSdFgHjKlZxCvBnM0qWeRtYuIoPaSdFgHjK';
    const store = new MemoryStore();
    const recorder = new CallStatsRecorder();
    recorder.record(call('self', 429, 'E_MIST_RATE_LIMITED', token));
    await recorder.flush(store);
    expect(await read(store, API_RATE_LIMITED)).toEqual({ invalid: 1 });
    const all = JSON.stringify(await Promise.all([API_REQUESTS, API_REQUEST_FAILURES, API_RATE_LIMITED].map((g) => store.readCounters(g))));
    expect(all).not.toContain(token);
  });
});
