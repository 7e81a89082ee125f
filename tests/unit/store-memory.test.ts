import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { BUDGET_TTL_MS } from '../../src/store/keys.js';
import { MemoryStore, createStore } from '../../src/store/index.js';
import { storeContract } from './store-contract.js';
import { counterReplayContract } from './store-contract-replay.js';
import { shardLockContract } from './store-contract-shards.js';

function fakeClock(start = 1_790_000_000_000) {
  let t = start;
  return { now: () => t, advance: async (ms: number) => void (t += ms) };
}

const memoryHarness = async () => {
  const clock = fakeClock();
  const store = new MemoryStore({ now: clock.now });
  return { store, advance: clock.advance, cleanup: () => store.close() };
};
storeContract('memory', memoryHarness);
counterReplayContract('memory', memoryHarness);
shardLockContract('memory', memoryHarness);

describe('MemoryStore', () => {
  it('forgets the usage of a token that stopped reporting after the budget TTL', async () => {
    const clock = fakeClock();
    const store = new MemoryStore({ now: clock.now });
    await store.putTokenUsage([{ fingerprint: 'aaaaaaaaaaaa', used: 1, limit: 5000, coolingUntil: 0 }], clock.now());
    await clock.advance(BUDGET_TTL_MS - 1);
    await store.putTokenUsage([{ fingerprint: 'bbbbbbbbbbbb', used: 2, limit: 5000, coolingUntil: 0 }], clock.now());
    await clock.advance(2);
    expect((await store.readTokenUsage()).map((u) => u.fingerprint)).toEqual(['bbbbbbbbbbbb']);
  });

  it('stamps staging with its own clock', async () => {
    const clock = fakeClock(42_000);
    const store = new MemoryStore({ now: clock.now });
    await store.beginGeneration({ orgId: 'o', family: 'sites' }, 'g1', 1000);
    expect((await store.staging({ orgId: 'o', family: 'sites' }))?.startedAt).toBe(42_000);
  });

  it('hands out copies, so a caller mutating a result cannot change the store', async () => {
    const store = new MemoryStore();
    const key = { orgId: 'o', family: 'sites' };
    await store.recordFailure(key, 1, 'MIST_TIMEOUT', 1);
    const meta = await store.readMeta(key);
    (meta as { lastError: string | null }).lastError = 'changed';
    expect((await store.readMeta(key))?.lastError).toBe('MIST_TIMEOUT');
  });

  it('is what createStore returns without a Redis URL, with a warning that it is single-process', async () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'info', format: 'json', destination: { write: (l: string) => void lines.push(l) } });
    for (const url of [undefined, null, '']) expect(createStore({ url }, log)).toBeInstanceOf(MemoryStore);
    expect(lines.join('')).toContain('in-memory store');
  });
});
