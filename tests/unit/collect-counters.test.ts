import { describe, expect, it } from 'vitest';
import { API_RATE_LIMITED, API_REQUEST_FAILURES, API_REQUESTS, COUNTER_LABELS, decodeLabels, encodeLabels } from '../../src/store/counters.js';

/** A small seeded PRNG, so the random round trips are the same on every run. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const NASTY = ['', '|', '=', '\\', '\\|', '\\=', 'x\\', '\\\\', '||', '==', 'a=b|c=d', 'endpoint=x|reason=y', '\n', '"quoted"', 'ünï cödé', '🛰️', ' ', '\t\r'];

describe('counter field encoding', () => {
  it('names the API counter groups and their labels for the exporter', () => {
    expect([API_REQUESTS, API_REQUEST_FAILURES, API_RATE_LIMITED]).toEqual(['api_requests', 'api_request_failures', 'api_rate_limited']);
    // Families add their own groups (failovers, flaps, alarms…): the API groups are held exactly here.
    expect(COUNTER_LABELS).toMatchObject({ api_requests: ['endpoint'], api_request_failures: ['endpoint', 'reason'], api_rate_limited: ['token_fingerprint'] });
  });

  it('encodes sorted label names as name=value joined with |, whatever the order given', () => {
    expect(encodeLabels({ reason: 'E_MIST_HTTP', endpoint: 'stats_ports_search' })).toBe('endpoint=stats_ports_search|reason=E_MIST_HTTP');
    expect(encodeLabels({ endpoint: 'stats_ports_search', reason: 'E_MIST_HTTP' })).toBe('endpoint=stats_ports_search|reason=E_MIST_HTTP');
    expect(encodeLabels({ token_fingerprint: '0123456789ab' })).toBe('token_fingerprint=0123456789ab');
  });

  it('escapes \\, | and = in values with a backslash', () => {
    expect(encodeLabels({ a: 'x|y=z\\w' })).toBe('a=x\\|y\\=z\\\\w');
    expect(encodeLabels({ a: '', b: '=' })).toBe('a=|b=\\=');
  });

  it('round-trips nasty values, each set of labels to its own field', () => {
    const fields = new Set<string>();
    for (const a of NASTY) {
      for (const b of NASTY) {
        const labels = { endpoint: a, reason: b };
        const field = encodeLabels(labels);
        expect(decodeLabels(field), JSON.stringify(labels)).toEqual(labels);
        fields.add(field);
      }
    }
    expect(fields.size).toBe(NASTY.length ** 2);
  });

  it('round-trips random strings of separators, escapes and unicode', () => {
    const random = prng(42);
    const alphabet = ['|', '=', '\\', 'a', 'Z', '0', '_', ' ', '\n', 'é', '🛰', '"'];
    const pick = (n: number): string => Array.from({ length: n }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
    for (let i = 0; i < 500; i += 1) {
      const labels = { c: pick(Math.floor(random() * 8)), a: pick(Math.floor(random() * 8)), b_2: pick(Math.floor(random() * 8)) };
      const field = encodeLabels(labels);
      expect(decodeLabels(field)).toEqual(labels);
      expect(encodeLabels(decodeLabels(field) ?? {})).toBe(field);
    }
  });

  it('refuses fields that encodeLabels would not write', () => {
    for (const field of ['', 'x', '=x', 'a=1|', '|a=1', 'a=1||b=2', 'b=1|a=2', 'a=1|a=2', 'a=x\\', 'a=x\\n', 'a=b=c', '1a=x', 'a-b=x', 'a=1|b']) {
      expect(decodeLabels(field), field).toBeNull();
    }
  });

  it('refuses to encode no labels or an invalid label name', () => {
    expect(() => encodeLabels({})).toThrow(RangeError);
    expect(() => encodeLabels({ 'bad-name': 'x' })).toThrow(RangeError);
    expect(() => encodeLabels({ 'a=b': 'x' })).toThrow(RangeError);
  });
});
