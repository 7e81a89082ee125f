import { describe, expect, it } from 'vitest';
import { getOrg } from '../../src/mist/endpoints.js';
import { MistError } from '../../src/mist/errors.js';
import { fail, fakeClient, html, json, ORG_ID, type Reply, type Route } from '../support/mist-fake.js';

const ORG_PATH = `/api/v1/orgs/${ORG_ID}`;
const ORG = { id: ORG_ID, name: 'Acme' };

/** Fails with `failures` in order, then answers the org. */
function flaky(...failures: Reply[]): Route {
  return (_req, { n }) => failures[n - 1] ?? json(ORG);
}

async function errorOf(p: Promise<unknown>): Promise<MistError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(MistError);
  return err as MistError;
}

describe('Mist client retries', () => {
  it.each([
    ['a 5xx with an HTML body', html(503), 'E_MIST_HTTP'],
    ['a network error', fail('network'), 'E_MIST_NETWORK'],
    ['a timeout', fail('timeout'), 'E_MIST_TIMEOUT'],
    ['a truncated body', fail('truncated'), 'E_MIST_TRUNCATED'],
    ['malformed JSON', { status: 200, headers: { 'content-type': 'application/json' }, body: '{"id": "x", <!-- reset -->' }, 'E_MIST_BAD_JSON'],
  ] as const)('retries %s and then succeeds', async (_what, reply, code) => {
    const { client, records, transport } = await fakeClient({ [ORG_PATH]: flaky(reply, reply) });
    await expect(client.getOne(getOrg(ORG_ID))).resolves.toEqual(ORG);
    expect(transport.callsTo(ORG_PATH)).toHaveLength(3);
    expect(records.filter((r) => r.endpoint === 'org').map((r) => r.failure)).toEqual([code, code, null]);
  });

  it('gives up after 4 attempts with a retryable error that names the endpoint and path', async () => {
    const { client, transport, time } = await fakeClient({ [ORG_PATH]: () => html(502) });
    const err = await errorOf(client.getOne(getOrg(ORG_ID)));
    expect(err).toMatchObject({ code: 'E_MIST_HTTP', status: 502, retryable: true, endpoint: 'org' });
    expect(err.message).toContain(`org GET ${ORG_PATH}: HTTP 502`);
    expect(err.message).toContain('after 4 attempts');
    expect(err.message).not.toContain('<html>');
    expect(transport.callsTo(ORG_PATH)).toHaveLength(4);
    // Full jitter (random fixed at 0.5): half of 1 s, 2 s, 4 s.
    expect(time.sleeps).toEqual([500, 1000, 2000]);
  });

  it('caps each backoff at 30 s', async () => {
    const { client, time } = await fakeClient({ [ORG_PATH]: () => html(500) }, { retry: { maxAttempts: 10, deadlineMs: 3_600_000 }, random: () => 1 });
    await errorOf(client.getOne(getOrg(ORG_ID)));
    expect(time.sleeps).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000, 30_000]);
  });

  it.each([
    [400, 'E_MIST_HTTP'],
    [403, 'E_MIST_FORBIDDEN'],
    [404, 'E_MIST_NOT_FOUND'],
  ] as const)('does not retry %i', async (status, code) => {
    const { client, transport, time } = await fakeClient({ [ORG_PATH]: () => json({ detail: 'nope' }, status) });
    const err = await errorOf(client.getOne(getOrg(ORG_ID)));
    expect(err).toMatchObject({ code, status, retryable: false });
    expect(err.message).toContain('(nope)');
    expect(transport.callsTo(ORG_PATH)).toHaveLength(1);
    expect(time.sleeps).toEqual([]);
  });

  it('a 401 with a single token is an auth error, not retried', async () => {
    const { client, transport } = await fakeClient({ [ORG_PATH]: () => json({ detail: 'Invalid token.' }, 401) });
    const err = await errorOf(client.getOne(getOrg(ORG_ID)));
    expect(err.code).toBe('E_MIST_AUTH');
    expect(transport.callsTo(ORG_PATH)).toHaveLength(1);
  });

  it('stops retrying when the next backoff would cross the call deadline', async () => {
    const { client, transport } = await fakeClient({ [ORG_PATH]: () => html(503) }, { retry: { deadlineMs: 1200, maxAttempts: 10 }, random: () => 1 });
    const err = await errorOf(client.getOne(getOrg(ORG_ID)));
    expect(err.code).toBe('E_MIST_HTTP');
    expect(err.message).toContain('no time left');
    expect(transport.callsTo(ORG_PATH)).toHaveLength(2);
  });

  it('an aborted call fails with E_MIST_ABORTED and is not retried', async () => {
    const ac = new AbortController();
    const { client, transport } = await fakeClient({
      [ORG_PATH]: () => {
        ac.abort();
        return fail('aborted');
      },
    });
    const err = await errorOf(client.getOne(getOrg(ORG_ID), { signal: ac.signal }));
    expect(err.code).toBe('E_MIST_ABORTED');
    expect(transport.callsTo(ORG_PATH)).toHaveLength(1);
    await expect(client.getOne(getOrg(ORG_ID), { signal: ac.signal })).rejects.toMatchObject({ code: 'E_MIST_ABORTED' });
    expect(transport.callsTo(ORG_PATH)).toHaveLength(1);
  });

  it('a request still running at the call deadline is aborted: E_MIST_TIMEOUT, not retried', async () => {
    const hang: Route = (req) => new Promise((resolve) => req.signal.addEventListener('abort', () => resolve(fail('aborted'))));
    const { client, transport, records } = await fakeClient({ [ORG_PATH]: hang }, { retry: { deadlineMs: 50 } });
    const err = await errorOf(client.getOne(getOrg(ORG_ID)));
    expect(err).toMatchObject({ code: 'E_MIST_TIMEOUT', retryable: false });
    expect(err.message).toContain('deadline');
    expect(transport.callsTo(ORG_PATH)).toHaveLength(1);
    expect(records.at(-1)).toMatchObject({ endpoint: 'org', status: null, failure: 'E_MIST_TIMEOUT' });
  });

  it('a body that fails the whole-body schema is E_MIST_BAD_RESPONSE, not retried', async () => {
    const { client, transport } = await fakeClient({ [ORG_PATH]: () => json({ id: ORG_ID }) });
    const err = await errorOf(client.getOne(getOrg(ORG_ID)));
    expect(err.code).toBe('E_MIST_BAD_RESPONSE');
    expect(err.message).toContain('name: Invalid input');
    expect(transport.callsTo(ORG_PATH)).toHaveLength(1);
  });

  it('reports every HTTP attempt to onCall with endpoint, fingerprint, status, failure and duration', async () => {
    const { client, records } = await fakeClient({ [ORG_PATH]: flaky(html(500)) });
    await client.getOne(getOrg(ORG_ID));
    const org = records.filter((r) => r.endpoint === 'org');
    expect(org).toEqual([
      { endpoint: 'org', fingerprint: expect.stringMatching(/^[0-9a-f]{12}$/), status: 500, failure: 'E_MIST_HTTP', durationMs: expect.any(Number) },
      { endpoint: 'org', fingerprint: org[0]?.fingerprint, status: 200, failure: null, durationMs: expect.any(Number) },
    ]);
    expect(records[0]).toMatchObject({ endpoint: 'self', status: 200 });
  });
});
