import { describe, expect, it } from 'vitest';
import { Leader, standingOf } from '../../src/collect/leader.js';
import { MemoryStore } from '../../src/store/memory.js';
import { encodeHolder, type OrgLockClaim } from '../../src/store/org-locks.js';
import { captureLog } from '../support/redis-store.js';

const held = (holders: Record<string, string | null>, legacy: string | null = null): OrgLockClaim => ({ acquired: false, holders, legacy });
const by = (owner: string, orgs: string[]): string => encodeHolder({ owner, orgs });

describe('standingOf: what a refused campaign means', () => {
  it('is active when acquired', () => {
    expect(standingOf(['a'], { acquired: true, holders: { a: null }, legacy: null }).state).toBe('active');
  });

  it('is a plain standby only behind an HA twin: every org held by one collector of the very same org set', () => {
    expect(standingOf(['b', 'a'], held({ a: by('x', ['a', 'b']), b: by('x', ['b', 'a']) }))).toEqual({ state: 'standby', conflicts: [], uncollected: [], holders: ['x'] });
  });

  it('is a conflict behind a superset, a subset, a partial overlap or two holders, and names the orgs left uncollected', () => {
    expect(standingOf(['a'], held({ a: by('x', ['a', 'b']) }))).toEqual({ state: 'conflict', conflicts: ['a'], uncollected: [], holders: ['x'] });
    expect(standingOf(['a', 'b', 'c'], held({ a: by('x', ['a', 'b']), b: by('x', ['a', 'b']), c: null })))
      .toEqual({ state: 'conflict', conflicts: ['a', 'b'], uncollected: ['c'], holders: ['x'] });
    expect(standingOf(['a', 'b'], held({ a: by('x', ['a']), b: by('y', ['b']) }))).toMatchObject({ state: 'conflict', conflicts: ['a', 'b'], holders: ['x', 'y'] });
    // A value from an unknown writer is never taken for a twin.
    expect(standingOf(['a'], held({ a: 'something else' }))).toMatchObject({ state: 'conflict', holders: ['something else'] });
  });

  it('waits for an old collector holding the single lock (rolling upgrade)', () => {
    expect(standingOf(['a'], held({ a: null }, 'host:1:abc'))).toEqual({ state: 'legacy', conflicts: [], uncollected: [], holders: ['host:1:abc'] });
  });
});

describe('Leader over per-org locks (memory store)', () => {
  const sleep = (ms: number, signal: AbortSignal): Promise<void> => new Promise((resolve) => {
    const t = setTimeout(resolve, Math.min(ms, 5));
    signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });

  it('runs disjoint shards side by side and keeps an overlapping one out, reporting it', async () => {
    const store = new MemoryStore();
    const stop = new AbortController();
    const led: string[] = [];
    const run = (owner: string, orgIds: string[], log = captureLog('info')): { done: Promise<void>; lines: string[] } => ({
      lines: log.lines,
      done: new Leader({ store, orgIds, ttlMs: 60_000, log: log.log, sleep, owner }).run(async (leadership) => {
        led.push(owner);
        await new Promise<void>((resolve) => leadership.addEventListener('abort', () => resolve(), { once: true }));
      }, stop.signal),
    });
    const a = run('a', ['o1', 'o2']);
    const b = run('b', ['o3']);
    await new Promise((r) => setTimeout(r, 30));
    const c = run('c', ['o2', 'o4']);
    await new Promise((r) => setTimeout(r, 30));
    expect(led.sort()).toEqual(['a', 'b']);
    expect((await store.readCollectorStatuses()).map((s) => [s.id, s.state, s.conflicts])).toEqual([['a', 'active', []], ['b', 'active', []], ['c', 'conflict', ['o2']]]);
    expect(c.lines.filter((l) => l.includes('overlapping shards'))).toHaveLength(1); // said once, not at every retry
    stop.abort();
    await Promise.all([a.done, b.done, c.done]);
    expect(await store.readCollectorStatuses()).toEqual([]);
    expect(await store.acquireOrgLocks(['o1', 'o2', 'o3'], 'z', 1000)).toMatchObject({ acquired: true });
  });
});
