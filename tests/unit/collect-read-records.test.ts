import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runCycle, type CycleDeps } from '../../src/collect/cycle.js';
import { defaultFamilySettings, recordPages, recordReader, type Family } from '../../src/collect/family.js';
import { defineRecords, narrowRecords } from '../../src/families/define-records.js';
import type { Cursor, MistApi } from '../../src/mist/types.js';
import { MemoryStore } from '../../src/store/memory.js';
import { captureLog } from '../support/redis-store.js';

const Port = z.object({ mac: z.string(), port_id: z.string(), up: z.boolean() });
const ports = defineRecords('ports', Port);
const macs = narrowRecords(ports, Port.pick({ mac: true }));

const noApi: MistApi = {
  pages: () => { throw new Error('no calls expected'); },
  getOne: () => { throw new Error('no calls expected'); },
  count: () => { throw new Error('no calls expected'); },
};

describe('ctx.readRecords (one typed read of a stored snapshot)', () => {
  it('validates with the declaration\'s schema, drops and counts what fails it under one reason, and passes "no snapshot" through', async () => {
    const dropped: Record<string, number> = {};
    const snapshots: Record<string, unknown[]> = { ports: [{ mac: 'a', port_id: 'p', up: true }, { mac: 'b' }, 'junk'] };
    const read = recordReader((name) => snapshots[name] ?? null, dropped);
    expect(await read(ports)).toEqual([{ mac: 'a', port_id: 'p', up: true }]);
    expect(dropped).toEqual({ 'unreadable ports record in the store': 2 });
    // A narrowed declaration reads the same family and keeps only what the reader uses.
    expect(await read(macs)).toEqual([{ mac: 'a' }, { mac: 'b' }]);
    expect(dropped).toEqual({ 'unreadable ports record in the store': 3 });
    expect(await read(defineRecords('absent', Port))).toBeNull();
  });

  it('counts a joined snapshot\'s unreadable records with the cycle\'s drops', async () => {
    const store = new MemoryStore();
    const key = { orgId: 'org-1', family: 'ports' };
    await store.beginGeneration(key, 'g1', 60_000);
    await store.putPage(key, 'g1', 0, JSON.stringify([{ mac: 'a', port_id: 'p', up: true }, { mac: 1 }]), { cursor: null, recordsKept: 2, recordsDropped: 0 }, 60_000);
    await store.publish(key, 'g1', 1, { lastAttempt: 0, lastSuccess: 0, durationMs: 0, recordsKept: 2, recordsDropped: 0, pages: 1, calls: 0, intervalSeconds: 60, counterDeltas: null }, 60_000);
    const joining: Family<{ mac: string }> = {
      name: 'joining', defaultIntervalSeconds: 60, priority: 'standard', callsPerCycle: () => 0, resumable: false,
      async *run(ctx) {
        yield* recordPages((await ctx.readRecords(macs)) ?? [], {});
      },
    };
    const deps: CycleDeps = { store, api: noApi, log: captureLog('fatal').log, settings: defaultFamilySettings(), now: () => Date.now() };
    const result = await runCycle(deps, joining, 'org-1', 60, new AbortController().signal);
    expect(result).toMatchObject({ ok: true, recordsKept: 1, recordsDropped: 1 });
    expect((await store.readMeta({ orgId: 'org-1', family: 'joining' }))?.recordsDropped).toBe(1);
  });
});

describe('a staged walk\'s cursor (one codec: mist/paginate\'s)', () => {
  const walking = (seen: (Cursor | null)[]): Family<number> => ({
    name: 'walking', defaultIntervalSeconds: 60, priority: 'standard', callsPerCycle: () => 1,
    async *run(_ctx, from) {
      seen.push(from);
      yield { records: [1], dropped: {}, cursor: null };
    },
  });
  const stage = async (store: MemoryStore, cursor: string): Promise<void> => {
    const key = { orgId: 'org-1', family: 'walking' };
    await store.beginGeneration(key, 'staged', 60_000);
    await store.putPage(key, 'staged', 0, '[1]', { cursor, recordsKept: 1, recordsDropped: 0 }, 60_000);
  };
  const deps = (store: MemoryStore): CycleDeps => ({ store, api: noApi, log: captureLog('fatal').log, settings: defaultFamilySettings(), now: () => Date.now() });

  it('resumes a readable one where it stopped', async () => {
    const store = new MemoryStore();
    await stage(store, JSON.stringify({ page: 2 }));
    const seen: (Cursor | null)[] = [];
    const result = await runCycle(deps(store), walking(seen), 'org-1', 60, new AbortController().signal);
    expect(seen).toEqual([{ page: 2 }]);
    expect(result).toMatchObject({ ok: true, resumed: true, pages: 2, recordsKept: 2 });
  });

  it('starts over, in a new generation, from an unreadable one (never page 1 appended to staged pages)', async () => {
    const store = new MemoryStore();
    await stage(store, '{"page":0}');
    const seen: (Cursor | null)[] = [];
    const result = await runCycle(deps(store), walking(seen), 'org-1', 60, new AbortController().signal);
    expect(seen).toEqual([null]);
    expect(result).toMatchObject({ ok: true, resumed: false, pages: 1, recordsKept: 1 });
  });
});
