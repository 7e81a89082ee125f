import { describe, expect, it } from 'vitest';
import { CONTENT_TYPE, escapeHelp, escapeLabelValue, formatValue, labelString, renderSamples } from '../../src/metrics/exposition.js';
import type { SelfMetricDef } from '../../src/metrics/types.js';

/** Reference decoder of a 0.0.4 label value (what Prometheus's text parser does): \\ \" \n. */
function unescape(v: string): string {
  return v.replace(/\\(.)/gs, (_, c: string) => (c === 'n' ? '\n' : c));
}

/** Parses `{a="x",b="y"}` back into [name, value] pairs, strictly (throws on anything unexpected). */
function parseLabels(s: string): [string, string][] {
  const out: [string, string][] = [];
  const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|\})/y;
  expect(s[0]).toBe('{');
  re.lastIndex = 1;
  for (;;) {
    const m = re.exec(s);
    if (!m) throw new Error(`unparsable label string at ${re.lastIndex}: ${JSON.stringify(s)}`);
    out.push([m[1]!, unescape(m[2]!)]);
    if (m[3] === '}') {
      expect(re.lastIndex).toBe(s.length);
      return out;
    }
  }
}

describe('escapeLabelValue', () => {
  it.each([
    ['back\\slash', 'back\\\\slash'],
    ['O\'Hare "Plaza"', 'O\'Hare \\"Plaza\\"'],
    ['line\nbreak', 'line\\nbreak'],
    ['\\"', '\\\\\\"'],
    ['\\n', '\\\\n'],
    ['Zürich ☃ 🛰️', 'Zürich ☃ 🛰️'],
    ['tab\tand\rcarriage return', 'tab\tand\rcarriage return'],
    ['a},b="c', 'a},b=\\"c'],
    ['', ''],
  ])('escapes %j as %j', (raw, escaped) => {
    expect(escapeLabelValue(raw)).toBe(escaped);
    expect(unescape(escapeLabelValue(raw))).toBe(raw);
  });

  it('round-trips random strings of nasty characters through a strict parser', () => {
    const alphabet = ['\\', '"', '\n', 'n', 'a', 'é', '☃', '🛰', '\t', '\r', '{', '}', ',', '=', ' ', "'"];
    let x = 12345;
    const rand = (n: number) => ((x = (x * 1103515245 + 12345) % 2 ** 31), x % n);
    for (let i = 0; i < 500; i++) {
      const value = Array.from({ length: rand(12) }, () => alphabet[rand(alphabet.length)]).join('');
      expect(parseLabels(labelString(['a', 'b'], [value, 'z'])), JSON.stringify(value)).toEqual([['a', value], ['b', 'z']]);
    }
  });
});

describe('escapeHelp', () => {
  it('escapes backslash and line feed, and leaves quotes alone', () => {
    expect(escapeHelp('a\\b\nc "d"')).toBe('a\\\\b\\nc "d"');
  });
});

describe('labelString', () => {
  it('renders names in order with escaped values, empty for no labels, empty value for a missing one', () => {
    expect(labelString([], [])).toBe('');
    expect(labelString(['org_id', 'site_name'], ['o', 'x"y'])).toBe('{org_id="o",site_name="x\\"y"}');
    expect(labelString(['a', 'b'], ['1'])).toBe('{a="1",b=""}');
  });
});

describe('formatValue', () => {
  it('writes NaN and infinities as the text format spells them', () => {
    expect([formatValue(NaN), formatValue(Infinity), formatValue(-Infinity)]).toEqual(['NaN', '+Inf', '-Inf']);
  });

  it('writes integers beyond 2^31 and 2^32 in full, without exponent or rounding', () => {
    expect(formatValue(2 ** 31)).toBe('2147483648');
    expect(formatValue(2 ** 32 + 1)).toBe('4294967297');
    expect(formatValue(11_299_516_780)).toBe('11299516780');
    expect(formatValue(2 ** 53)).toBe('9007199254740992');
    expect(formatValue(-(2 ** 40))).toBe('-1099511627776');
  });

  it('writes small and odd floats so that they parse back to the same double', () => {
    const values = [0, 1, 0.5, 0.1 + 0.2, 1e-7, 0.000001, 1.5e-9, 5e-324, 1e21, 1.7976931348623157e308, -0.015, 37.295833];
    for (const v of values) {
      const s = formatValue(v);
      expect(s, String(v)).toMatch(/^-?\d+(\.\d+)?(e[+-]\d+)?$/);
      expect(Number(s)).toBe(v === 0 ? 0 : v);
    }
    expect(formatValue(1e-7)).toBe('1e-7');
    expect(formatValue(1e21)).toBe('1e+21');
  });
});

describe('renderSamples (self-metrics)', () => {
  const def: SelfMetricDef = { name: 'mist_test_value_seconds', type: 'gauge', unit: 'seconds', labels: ['family'], help: 'A test\nmetric \\ from the store.' };

  it('renders HELP, TYPE and one line per sample with escaped labels', () => {
    expect(renderSamples(def, [{ labels: ['wan-ports'], value: 1.5 }, { labels: ['a"b'], value: NaN }])).toBe(
      '# HELP mist_test_value_seconds A test\\nmetric \\\\ from the store.\n# TYPE mist_test_value_seconds gauge\n'
      + 'mist_test_value_seconds{family="wan-ports"} 1.5\nmist_test_value_seconds{family="a\\"b"} NaN\n');
  });

  it('renders nothing (not even HELP) without samples, and no braces without labels', () => {
    expect(renderSamples(def, [])).toBe('');
    expect(renderSamples({ ...def, labels: [] }, [{ labels: [], value: 1 }])).toMatch(/\nmist_test_value_seconds 1\n$/);
  });
});

it('serves text format 0.0.4 in UTF-8', () => {
  expect(CONTENT_TYPE).toBe('text/plain; version=0.0.4; charset=utf-8');
});
