import { describe, expect, it } from 'vitest';
import { getOrg } from '../../src/mist/endpoints.js';
import { tokenFingerprint } from '../../src/mist/fingerprint.js';
import { REJECTED_BASE_MS } from '../../src/mist/token-pool.js';
import { fakeClient, json, ORG_ID } from '../support/mist-fake.js';

/**
 * A token Mist rejects mid-run (401 after it was valid) leaves the rotation for a while and is then tried
 * again, instead of being dropped for good: before, one spurious 401 on the only token (or on every token at
 * once) stopped collection until the process was restarted, even once Mist accepted the token again.
 */

const A = 'token-aaaaaaaa';
const B = 'token-bbbbbbbb';
const ORG_PATH = `/api/v1/orgs/${ORG_ID}`;
const ORG = { id: ORG_ID, name: 'Org' };
const INVALID = json({ detail: 'Invalid token.' }, 401);

describe('a token rejected mid-run', () => {
  it('with a single token: fails at once without calling while out of rotation, then is tried again and resumes', async () => {
    let revoked = true;
    const { client, transport, time, logs } = await fakeClient({ [ORG_PATH]: () => (revoked ? INVALID : json(ORG)) });
    await expect(client.getOne(getOrg(ORG_ID))).rejects.toMatchObject({ code: 'E_MIST_AUTH' });
    expect(transport.callsTo(ORG_PATH)).toHaveLength(1);
    // Out of rotation: no call at all, the same clear code.
    time.advance(REJECTED_BASE_MS - 1000);
    await expect(client.getOne(getOrg(ORG_ID))).rejects.toMatchObject({ code: 'E_MIST_AUTH', message: expect.stringContaining('tried again later') });
    expect(transport.callsTo(ORG_PATH)).toHaveLength(1);
    expect(client.usage()).toEqual([]);
    // Mist accepts it again (the 401s were spurious): the next call after the period tries it, and it is back.
    revoked = false;
    time.advance(1000);
    await expect(client.getOne(getOrg(ORG_ID))).resolves.toEqual(ORG);
    expect(transport.callsTo(ORG_PATH)).toHaveLength(2);
    expect(client.usage().map((u) => u.fingerprint)).toEqual([tokenFingerprint(A)]);
    expect(logs.text()).toContain('Mist accepts a token it had rejected');
    expect(logs.text()).not.toContain(A);
  });

  it('a token revoked for good costs one call per doubling period (5, 10, 20 min …), never a storm', async () => {
    const { client, transport, time } = await fakeClient({ [ORG_PATH]: (_r, { token }) => (token === A ? INVALID : json(ORG)) }, { tokens: [A, B] });
    const callsWith = (token: string): number => transport.callsTo(ORG_PATH).filter((c) => c.token === token).length;
    // Each test call: A (most budget left once back in rotation) is tried, rejected, and the call moves to B.
    await client.getOne(getOrg(ORG_ID));
    expect(callsWith(A)).toBe(1);
    for (let i = 0; i < 20; i++) await client.getOne(getOrg(ORG_ID));
    expect(callsWith(A)).toBe(1);
    const probes: number[] = [];
    for (let minute = 1; minute <= 80; minute++) {
      time.advance(60_000);
      const before = callsWith(A);
      await expect(client.getOne(getOrg(ORG_ID))).resolves.toEqual(ORG);
      if (callsWith(A) > before) probes.push(minute);
    }
    // Rejected at 0: tried at 5 (out 10 more), 15 (out 20), 35 (out 40), 75.
    expect(probes).toEqual([5, 15, 35, 75]);
    expect(client.usage().map((u) => u.fingerprint)).toEqual([tokenFingerprint(B)]);
  });
});
