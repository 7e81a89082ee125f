import { describe, expect, it } from 'vitest';
import { escapeLabelValue } from '../../src/metrics/exposition.js';
import { expositionProblems, parseSample } from './input-support.js';

/**
 * The strict exposition reading the bad-input tests rely on (input-support.ts) must itself fail on broken text:
 * each malformation below is one the renderer could produce if its escaping or validation regressed.
 */

const head = '# HELP m_total help\n# TYPE m_total counter\n';

describe('expositionProblems finds each malformation', () => {
  it.each([
    ['a raw quote in a label value', `${head}m_total{a="x"y"} 1\n`, /expected , or }/],
    ['a raw backslash escape it does not know', `${head}m_total{a="x\\ty"} 1\n`, /bad escape/],
    ['a raw line feed in a label value', `${head}m_total{a="x\ny"} 1\n`, /not closed|bad/],
    ['a negative counter', `${head}m_total{a="x"} -1\n`, /counter m_total is -1/],
    ['an infinite counter', `${head}m_total{a="x"} +Inf\n`, /counter m_total is Infinity/],
    ['a series twice', `${head}m_total{a="x"} 1\nm_total{a="x"} 2\n`, /series repeated/],
    ['samples not contiguous', `${head}m_total{a="x"} 1\n# TYPE g gauge\ng 1\nm_total{a="y"} 1\n`, /not contiguous/],
    ['TYPE after samples', `m 1\n# TYPE m gauge\n`, /TYPE m after its samples/],
    ['a value that is not a float', `# TYPE g gauge\ng 0x10\n`, /bad value/],
    ['a bad label name', `# TYPE g gauge\ng{1a="x"} 1\n`, /bad label name/],
    ['a label twice', `# TYPE g gauge\ng{a="x",a="y"} 1\n`, /label a twice/],
    ['no final line feed', `# TYPE g gauge\ng 1`, /does not end with a line feed/],
  ])('%s', (_what, text, problem) => {
    const problems = expositionProblems(text);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join('\n')).toMatch(problem);
  });

  it('accepts what the renderer escapes, and reads the value back exactly', () => {
    for (const v of ['a"b', 'back\\slash', 'line\nbreak', '\\n', '', '🛰️', 'a},b="c']) {
      const line = `g{a="${escapeLabelValue(v)}"} 1`;
      expect(expositionProblems(`# TYPE g gauge\n${line}\n`)).toEqual([]);
      expect(parseSample(line).labels.get('a')).toBe(v);
    }
  });
});
