import { describe, expect, it } from 'vitest';
import { getOrg } from '../../src/mist/endpoints.js';
import { MistError } from '../../src/mist/errors.js';
import { tokenFingerprint } from '../../src/mist/fingerprint.js';
import { fakeClient, json, ORG_ID, selfBody, tooMany } from '../support/mist-fake.js';

const A = 'token-aaaaaaaa';
const B = 'token-bbbbbbbb';
const C = 'token-cccccccc';
const SELF = '/api/v1/self';
const ORG2 = 'b069b358-4c97-5319-1f8c-7c5ca64d6ab1';

describe('token validation at start', () => {
  it('drops an invalid token with a warning naming its fingerprint, and keeps the valid ones', async () => {
    const { client, logs, transport } = await fakeClient({ [SELF]: (_r, { token }) => (token === B ? json({ detail: 'Invalid token.' }, 401) : json(selfBody())) }, { tokens: [A, B, C] });
    expect(client.usage().map((u) => u.fingerprint)).toEqual([tokenFingerprint(A), tokenFingerprint(C)]);
    expect(transport.callsTo(SELF)).toHaveLength(3);
    const warning = logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.level === 40);
    expect(warning).toMatchObject({ fingerprint: tokenFingerprint(B), msg: expect.stringContaining('invalid') });
    for (const t of [A, B, C]) expect(logs.text()).not.toContain(t);
  });

  it('fails with a clear E_MIST_AUTH when no token is valid, naming fingerprints only', async () => {
    const err = await fakeClient({ [SELF]: () => json({ detail: 'Invalid token.' }, 401) }, { tokens: [A, B] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MistError);
    expect(err).toMatchObject({ code: 'E_MIST_AUTH', retryable: false });
    const message = (err as MistError).message;
    expect(message).toContain('none of the 2 configured Mist API tokens');
    expect(message).toContain(tokenFingerprint(A));
    expect(message).not.toContain(A);
    expect(message).not.toContain(B);
  });

  it('fails when no token is configured', async () => {
    await expect(fakeClient({}, { tokens: [] })).rejects.toMatchObject({ code: 'E_MIST_AUTH', message: expect.stringContaining('no Mist API token configured') });
  });

  it('drops tokens whose privileges differ from the first valid token\'s', async () => {
    const { client, logs } = await fakeClient({
      [SELF]: (_r, { token }) => json(token === B ? selfBody(ORG_ID, 'admin') : token === C ? selfBody(ORG2) : selfBody()),
    }, { tokens: [A, B, C] });
    expect(client.usage().map((u) => u.fingerprint)).toEqual([tokenFingerprint(A)]);
    expect(logs.text()).toContain(tokenFingerprint(B));
    expect(logs.text()).toContain(tokenFingerprint(C));
    expect(logs.text()).toContain('different privileges');
  });

  it('keeps tokens with the same privileges listed in another order', async () => {
    const p1 = { scope: 'org', role: 'read', org_id: ORG_ID };
    const p2 = { scope: 'org', role: 'read', org_id: ORG2 };
    const { client } = await fakeClient({ [SELF]: (_r, { token }) => json({ privileges: token === A ? [p1, p2] : [p2, p1] }) }, { tokens: [A, B] });
    expect(client.usage()).toHaveLength(2);
    expect([...client.orgIds()].sort()).toEqual([ORG_ID, ORG2].sort());
  });

  it('exposes only orgs of scope "org"', async () => {
    const { client } = await fakeClient({
      [SELF]: () => json({ privileges: [{ scope: 'org', role: 'read', org_id: ORG_ID }, { scope: 'site', role: 'admin', org_id: ORG2, site_id: ORG2 }] }),
    });
    expect(client.orgIds()).toEqual([ORG_ID]);
  });

  it('starts each token\'s budget from Mist\'s usage count when asked', async () => {
    const { client, transport } = await fakeClient({ '/api/v1/self/usage': (_r, { token }) => json({ request_limit: 5000, requests: token === A ? 1200 : 7 }) }, { tokens: [A, B], syncUsage: true });
    expect(client.usage().map((u) => u.used)).toEqual([1200, 7]);
    expect(transport.callsTo('/api/v1/self/usage')).toHaveLength(2);
  });

  it('a token rate limited past the deadline at start is not used; if none is left the error is retryable', async () => {
    const { client } = await fakeClient({ [SELF]: (_r, { token }) => (token === A ? tooMany(3000) : json(selfBody())) }, { tokens: [A, B] });
    expect(client.usage().map((u) => u.fingerprint)).toEqual([tokenFingerprint(B)]);
    await expect(fakeClient({ [SELF]: () => tooMany(3000) }, { tokens: [A, B] })).rejects.toMatchObject({ code: 'E_MIST_RATE_LIMITED', retryable: true });
  });
});

describe('secrets', () => {
  it('never puts a token in an error message, even when Mist echoes it', async () => {
    const { client } = await fakeClient({ [`/api/v1/orgs/${ORG_ID}`]: () => json({ detail: `token ${A} may not do this` }, 400) }, { tokens: [A] });
    const err = (await client.getOne(getOrg(ORG_ID)).catch((e: unknown) => e)) as MistError;
    expect(err.code).toBe('E_MIST_HTTP');
    expect(err.message).toContain('token [token] may not do this');
    expect(err.message).not.toContain(A);
  });

  it('sends the token only in the Authorization header, with Accept: application/json', async () => {
    const seen: Record<string, string>[] = [];
    await fakeClient({ [SELF]: (req) => (seen.push({ ...req.headers }), json(selfBody())) }, { tokens: [A] });
    expect(seen).toEqual([{ authorization: `Token ${A}`, accept: 'application/json' }]);
  });
});
