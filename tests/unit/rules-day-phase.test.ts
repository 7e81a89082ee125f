import { describe, expect, it } from 'vitest';
import { DEFAULT_KPI_CONFIG, renderRuleFiles } from '../../src/rules/index.js';
import { dayPhase } from '../support/dashboards/day.js';

/**
 * GenerateOptions.dayPhaseSeconds (test-only): shifts the UTC day the rules read by whole hours, so a
 * time-compressed run sees a midnight soon (tests/integration/dashboards-prometheus.test.ts). Absent or 0, the rules
 * are the shipped ones byte for byte.
 */
describe('rules: dayPhaseSeconds', () => {
  const scale = 1 / 30;
  const hour = 3600 * scale;

  it('0 generates the rules as without it', () => {
    expect(renderRuleFiles(DEFAULT_KPI_CONFIG, { timeScale: 1, dayPhaseSeconds: 0 })).toEqual(renderRuleFiles(DEFAULT_KPI_CONFIG));
    expect(renderRuleFiles(DEFAULT_KPI_CONFIG, { timeScale: scale, dayPhaseSeconds: 0 })).toEqual(renderRuleFiles(DEFAULT_KPI_CONFIG, { timeScale: scale }));
  });

  it('a phase shifts only the clock the day is read from: time() → (time() + phase), nothing else', () => {
    const plain = renderRuleFiles(DEFAULT_KPI_CONFIG, { timeScale: scale });
    const shifted = renderRuleFiles(DEFAULT_KPI_CONFIG, { timeScale: scale, dayPhaseSeconds: 5 * hour });
    let changed = 0;
    for (const [path, text] of plain) {
      const other = shifted.get(path)!;
      expect(other.replaceAll(`(time() + ${5 * hour})`, 'time()'), path).toBe(text);
      if (other !== text) changed++;
    }
    // The day gates (day, chronic, region day) and the hour/day-clipped runs of the minute group.
    expect(changed).toBeGreaterThanOrEqual(3);
    expect(shifted.get('rules/mist-wan-day.yml')).toContain(`vector((time() + ${5 * hour}) % ${24 * hour}) < ${hour}`);
  });

  it('refuses a phase that is not a whole number of hours within a day', () => {
    expect(() => renderRuleFiles(DEFAULT_KPI_CONFIG, { timeScale: scale, dayPhaseSeconds: hour / 2 })).toThrow(/multiple of the hour/);
    expect(() => renderRuleFiles(DEFAULT_KPI_CONFIG, { timeScale: scale, dayPhaseSeconds: 24 * hour })).toThrow(/multiple of the hour/);
  });

  it('dayPhase puts the next midnight at the first clock hour after now + lead', () => {
    const now = 1_790_000_000.4;
    const { dayPhaseSeconds, midnight } = dayPhase(now, scale, 90);
    expect(midnight % hour).toBe(0);
    expect(midnight).toBeGreaterThanOrEqual(now + 90);
    expect(midnight).toBeLessThan(now + 90 + hour);
    expect((midnight + dayPhaseSeconds) % (24 * hour)).toBe(0);
    expect(dayPhaseSeconds % hour).toBe(0);
  });
});
