import { describe, expect, it } from 'vitest';
import { tokenFingerprint } from '../../src/mist/fingerprint.js';
import { TokenPool } from '../../src/mist/token-pool.js';
import { fakeTime, T0 } from '../support/mist-fake.js';

const A = 'token-aaaaaaaa';
const B = 'token-bbbbbbbb';
const fpA = tokenFingerprint(A);
const fpB = tokenFingerprint(B);

function pool(tokens = [A, B], limit = 5000, random = 0.5) {
  const time = fakeTime();
  const p = new TokenPool(tokens, { limitPerHour: limit, cooldownBaseMs: 5000, cooldownMaxMs: 3_600_000, now: time.now, random: () => random });
  return { p, time };
}

describe('TokenPool', () => {
  it('fingerprints are the first 12 hex chars of sha256, never the token', () => {
    expect(fpA).toMatch(/^[0-9a-f]{12}$/);
    expect(fpA).not.toContain('token');
    const { p } = pool([A, A, B]);
    expect(p.fingerprints()).toEqual([fpA, fpB]);
  });

  it('takes the token with the most budget left, so calls alternate', () => {
    const { p } = pool();
    const picks = Array.from({ length: 6 }, () => p.take()?.fingerprint);
    expect(picks).toEqual([fpA, fpB, fpA, fpB, fpA, fpB]);
    expect(p.usage().map((u) => u.used)).toEqual([3, 3]);
  });

  it('counts calls per clock hour and is usable again when the next hour starts', () => {
    const { p, time } = pool([A], 2);
    time.advance(30 * 60_000);
    expect(p.take()).not.toBeNull();
    expect(p.take()).not.toBeNull();
    expect(p.take()).toBeNull();
    expect(p.nextUsableAt()).toBe(T0 + 3_600_000);
    time.advance(30 * 60_000);
    expect(p.take()?.fingerprint).toBe(fpA);
    expect(p.usage()).toEqual([{ fingerprint: fpA, used: 1, limit: 2, coolingUntil: 0 }]);
  });

  it('cools a rate-limited token for Retry-After and rotates to the other one', () => {
    const { p } = pool();
    expect(p.rateLimited(fpA, 73_000)).toBe(73_000);
    expect([p.take()?.fingerprint, p.take()?.fingerprint]).toEqual([fpB, fpB]);
    expect(p.usage()[0]).toMatchObject({ fingerprint: fpA, coolingUntil: T0 + 73_000 });
  });

  it('bounds Retry-After to [1 s, 1 h]', () => {
    const { p } = pool([A]);
    expect(p.rateLimited(fpA, 10 * 3_600_000)).toBe(3_600_000);
    expect(p.rateLimited(fpA, 0)).toBe(1000);
  });

  it('without Retry-After backs off exponentially from ~5 s with jitter (at least half the step)', () => {
    const lo = pool([A], 5000, 0);
    expect([1, 2, 3, 4].map(() => lo.p.rateLimited(fpA))).toEqual([2500, 5000, 10_000, 20_000]);
    const hi = pool([A], 5000, 0.999_999);
    expect(hi.p.rateLimited(fpA)).toBeCloseTo(5000, 0);
    expect(hi.p.rateLimited(fpA)).toBeCloseTo(10_000, 0);
  });

  it('a success resets the backoff exponent', () => {
    const { p } = pool([A], 5000, 0);
    p.rateLimited(fpA);
    p.rateLimited(fpA);
    p.succeeded(fpA);
    expect(p.rateLimited(fpA)).toBe(2500);
  });

  it('when every token cools, tells when the earliest is usable', () => {
    const { p } = pool();
    p.rateLimited(fpA, 60_000);
    p.rateLimited(fpB, 20_000);
    expect(p.take()).toBeNull();
    expect(p.nextUsableAt()).toBe(T0 + 20_000);
    expect(p.nextUsableAt(fpA)).toBe(T0 + 60_000);
  });

  it('a token out of budget whose cooldown ends in the same hour waits for the next hour', () => {
    const { p } = pool([A], 1);
    p.take();
    p.rateLimited(fpA, 60_000);
    expect(p.nextUsableAt()).toBe(T0 + 3_600_000);
  });

  it('takes Mist\'s usage count and a lower limit, never a lower count or a higher limit', () => {
    const { p } = pool([A], 5000);
    p.take();
    p.take();
    p.observe(fpA, 1, 10_000);
    expect(p.usage()[0]).toMatchObject({ used: 2, limit: 5000 });
    p.observe(fpA, 40, 100);
    expect(p.usage()[0]).toMatchObject({ used: 40, limit: 100 });
  });

  it('a dropped token is never taken; none left means never usable', () => {
    const { p } = pool();
    p.drop(fpA);
    expect(p.take()?.fingerprint).toBe(fpB);
    p.drop(fpB);
    expect(p.take()).toBeNull();
    expect(p.nextUsableAt()).toBe(Infinity);
  });
});
