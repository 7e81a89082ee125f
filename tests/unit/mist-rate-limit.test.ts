import PQueue from 'p-queue';
import { describe, expect, it } from 'vitest';
import { getOrg } from '../../src/mist/endpoints.js';
import { tokenFingerprint } from '../../src/mist/fingerprint.js';
import { Caller, DEFAULT_RETRY } from '../../src/mist/request.js';
import { TokenPool } from '../../src/mist/token-pool.js';
import { captureLog, fakeClient, FakeTransport, fakeTime, json, ORG_ID, T0, tooMany } from '../support/mist-fake.js';

const A = 'token-aaaaaaaa';
const B = 'token-bbbbbbbb';
const ORG_PATH = `/api/v1/orgs/${ORG_ID}`;
const ORG = { id: ORG_ID, name: 'Acme' };

describe('Mist client on 429', () => {
  it('rotates to another token at once, without waiting', async () => {
    const { client, transport, time } = await fakeClient({ [ORG_PATH]: (_r, { token }) => (token === A ? tooMany(73) : json(ORG)) }, { tokens: [A, B] });
    await expect(client.getOne(getOrg(ORG_ID))).resolves.toEqual(ORG);
    expect(transport.callsTo(ORG_PATH).map((c) => c.token)).toEqual([A, B]);
    expect(time.sleeps).toEqual([]);
    expect(client.usage().find((u) => u.fingerprint === tokenFingerprint(A))?.coolingUntil).toBe(T0 + 73_000);
  });

  it('when every token cools, waits for the earliest Retry-After, then succeeds', async () => {
    const retryAfter: Record<string, number> = { [A]: 300, [B]: 40 };
    const { client, transport, time } = await fakeClient({
      [ORG_PATH]: (_r, { n, token }) => (n <= 2 ? tooMany(retryAfter[token]) : json(ORG)),
    }, { tokens: [A, B] });
    await expect(client.getOne(getOrg(ORG_ID))).resolves.toEqual(ORG);
    expect(time.sleeps).toEqual([40_000]);
    expect(transport.callsTo(ORG_PATH).map((c) => c.token)).toEqual([A, B, B]);
  });

  it('time spent waiting for a token does not count against the call deadline', async () => {
    const { client, time } = await fakeClient({ [ORG_PATH]: (_r, { n }) => (n <= 3 ? tooMany(100) : json(ORG)) }, { retry: { deadlineMs: 1000 } });
    await expect(client.getOne(getOrg(ORG_ID))).resolves.toEqual(ORG);
    expect(time.sleeps).toEqual([100_000, 100_000, 100_000]);
  });

  it('without Retry-After backs off exponentially from ~5 s with jitter', async () => {
    const { client, time } = await fakeClient({ [ORG_PATH]: (_r, { n }) => (n <= 3 ? tooMany() : json(ORG)) });
    await client.getOne(getOrg(ORG_ID));
    // random = 0.5: step/2 + 0.5 × step/2 for steps 5 s, 10 s, 20 s.
    expect(time.sleeps).toEqual([3750, 7500, 15_000]);
  });

  it('gives up after its 429 bound with a retryable E_MIST_RATE_LIMITED', async () => {
    const { client, transport } = await fakeClient({ [ORG_PATH]: () => tooMany(1) }, { retry: { maxRateLimited: 3 } });
    await expect(client.getOne(getOrg(ORG_ID))).rejects.toMatchObject({ code: 'E_MIST_RATE_LIMITED', status: 429, retryable: true });
    expect(transport.callsTo(ORG_PATH)).toHaveLength(4);
  });

  it('fails at once, without sleeping, when the earliest token frees up later than the longest token wait (5 min)', async () => {
    const { client, transport, time } = await fakeClient({ [ORG_PATH]: () => tooMany(3000) });
    const err = await client.getOne(getOrg(ORG_ID)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_MIST_RATE_LIMITED', retryable: true, retryAfterMs: 3_000_000 });
    expect(time.sleeps).toEqual([]);
    expect(transport.callsTo(ORG_PATH)).toHaveLength(1);
  });

  it('spends its own hourly budget, then waits for the next clock hour instead of calling into a 429', async () => {
    const { client, transport, time } = await fakeClient({ [ORG_PATH]: () => json(ORG) }, {
      rateLimit: { perTokenPerHour: 3 }, retry: { maxTokenWaitMs: 3_600_000 },
    });
    // /self took one call of the 3.
    await client.getOne(getOrg(ORG_ID));
    await client.getOne(getOrg(ORG_ID));
    expect(time.sleeps).toEqual([]);
    await client.getOne(getOrg(ORG_ID));
    expect(time.sleeps).toEqual([3_600_000]);
    expect(transport.callsTo(ORG_PATH)).toHaveLength(3);
    expect(client.usage()[0]).toMatchObject({ used: 1, limit: 3 });
  });

  it('takes a token Mist rejects mid-run (401) out of use (tried again later) and retries the call with another', async () => {
    const { client, transport, logs } = await fakeClient({ [ORG_PATH]: (_r, { token }) => (token === A ? json({ detail: 'Invalid token.' }, 401) : json(ORG)) }, { tokens: [A, B] });
    await expect(client.getOne(getOrg(ORG_ID))).resolves.toEqual(ORG);
    await client.getOne(getOrg(ORG_ID));
    expect(transport.callsTo(ORG_PATH).map((c) => c.token)).toEqual([A, B, B]);
    expect(client.usage().map((u) => u.fingerprint)).toEqual([tokenFingerprint(B)]);
    expect(logs.text()).toContain(tokenFingerprint(A));
    expect(logs.text()).not.toContain(A);
  });
});

describe('waiting for a token never holds a concurrency slot', () => {
  it('a call waiting out a cooldown lets another call use the only slot meanwhile', async () => {
    const time = fakeTime();
    const queue = new PQueue({ concurrency: 1 });
    const pool = new TokenPool([A, B], { limitPerHour: 5000, cooldownBaseMs: 5000, cooldownMaxMs: 3_600_000, now: time.now, random: () => 0.5 });
    pool.rateLimited(tokenFingerprint(A), 60_000);
    let release: () => void = () => undefined;
    const slotsWhileWaiting: number[] = [];
    const transport = new FakeTransport({ [ORG_PATH]: () => json(ORG) });
    const caller = new Caller({
      transport, pool, queue, retry: DEFAULT_RETRY, now: time.now, random: () => 0.5, log: captureLog().log, secrets: [A, B],
      sleep: (ms) => new Promise<void>((resolve) => {
        slotsWhileWaiting.push(queue.pending);
        release = () => {
          time.advance(ms);
          resolve();
        };
      }),
    });
    const waiting = caller.get('org', ORG_PATH, { pin: tokenFingerprint(A) });
    await new Promise((r) => setImmediate(r));
    // The pinned call is asleep; an unpinned call still gets the single slot and finishes.
    await expect(caller.get('org', ORG_PATH)).resolves.toMatchObject({ status: 200, fingerprint: tokenFingerprint(B) });
    expect(slotsWhileWaiting).toEqual([0]);
    release();
    await expect(waiting).resolves.toMatchObject({ status: 200, fingerprint: tokenFingerprint(A) });
    expect(transport.calls.map((c) => c.token)).toEqual([B, A]);
  });

  it('a call aborted while it waits for a slot leaves the queue without an HTTP call', async () => {
    const time = fakeTime();
    const queue = new PQueue({ concurrency: 1 });
    const pool = new TokenPool([A], { limitPerHour: 5000, cooldownBaseMs: 5000, cooldownMaxMs: 3_600_000, now: time.now, random: () => 0.5 });
    let answer: () => void = () => undefined;
    const transport = new FakeTransport({ [ORG_PATH]: () => new Promise((resolve) => { answer = () => resolve(json(ORG)); }) });
    const caller = new Caller({ transport, pool, queue, retry: DEFAULT_RETRY, now: time.now, sleep: time.sleep, random: () => 0.5, log: captureLog().log, secrets: [A] });
    const first = caller.get('org', ORG_PATH);
    await new Promise((r) => setImmediate(r));
    const ac = new AbortController();
    const second = caller.get('org', ORG_PATH, { signal: ac.signal });
    await new Promise((r) => setImmediate(r));
    expect(queue.size).toBe(1);
    ac.abort();
    await expect(second).rejects.toMatchObject({ code: 'E_MIST_ABORTED' });
    answer();
    await expect(first).resolves.toMatchObject({ status: 200 });
    expect(transport.calls).toHaveLength(1);
  });
});
