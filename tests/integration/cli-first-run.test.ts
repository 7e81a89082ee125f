import { describe, expect, it } from 'vitest';
import { FAMILY_NAMES } from '../../src/families/registry.js';
import { spawnCli, type CliProcess } from '../support/cli-process.js';
import { duplicateKeys } from '../support/json-keys.js';
import { freePort } from '../support/redis.js';

/**
 * What a new user sees from `all` (what `npm run demo` runs), as a real process: on a terminal, plain lines;
 * piped, one JSON object per line with no repeated key; either way "waiting for the first collection", one
 * progress report per family, the first collection in one line, and only then "is up".
 */

const TEXT_LOG = /^\d\d:\d\d:\d\d\.\d{3} (TRACE|DEBUG|INFO|WARN|ERROR|FATAL) /;
const REPORT = new RegExp(`^collected ${FAMILY_NAMES.length} families, [\\d,]+ series in \\d+\\.\\d s$`);

async function demoEnv(extra: Record<string, string> = {}): Promise<Record<string, string>> {
  return { SIM_SITES: '12', SIM_PORT: String(await freePort()), EXPORTER_HOST: '127.0.0.1', EXPORTER_PORT: String(await freePort()), LOG_LEVEL: 'info', ...extra };
}

async function stop(p: CliProcess): Promise<void> {
  await p.kill('SIGTERM');
}

const indexOf = (lines: readonly string[], re: RegExp): number => lines.findIndex((l) => re.test(l));

describe('all, as a person at a terminal runs it (pseudo-TTY)', () => {
  it('prints plain lines, waits for the first collection, shows progress per family and reports it before "is up"', async () => {
    const env = await demoEnv();
    const p = spawnCli(['all'], env, { tty: true });
    try {
      await p.waitForLine(/^Press Ctrl\+C to stop\.$/, 90_000);
      const lines = [...p.lines];
      expect(lines.filter((l) => l.startsWith('{'))).toEqual([]);
      expect(lines.some((l) => /^\d\d:\d\d:\d\d\.\d{3} INFO {2}\[collector\/mist\] Mist API tokens validated /.test(l))).toBe(true);
      const waiting = indexOf(lines, /^mist-wan-exporter \(collector \+ exporter\) started; waiting for the first collection \(10 families\)/);
      const progress = lines.filter((l) => l.startsWith('first collection '));
      expect(progress.map((l) => /^first collection (\d+)\/(\d+) families: ([a-z-]+), [\d,]+ records? in \d+\.\d s$/.exec(l)?.slice(1)))
        .toEqual(FAMILY_NAMES.map((name, i) => [String(i + 1), String(FAMILY_NAMES.length), name]));
      const report = indexOf(lines, REPORT);
      const up = indexOf(lines, /^mist-wan-exporter \(collector \+ exporter\) is up:$/);
      expect(waiting).toBeGreaterThanOrEqual(0);
      expect(waiting).toBeLessThan(indexOf(lines, /^first collection 1\//));
      expect(indexOf(lines, /^first collection 10\//)).toBeLessThan(report);
      expect(report).toBeLessThan(up);
      // "is up" means it: the data is there.
      const ready = await fetch(`http://127.0.0.1:${env.EXPORTER_PORT}/ready`);
      expect(ready.status).toBe(200);
    } finally {
      await stop(p);
    }
  }, 120_000);
});

describe('all, piped (not a terminal)', () => {
  it('writes only JSON, one object per line, with no key twice; what a terminal shows as text comes as entries with their numbers', async () => {
    const p = spawnCli(['all'], await demoEnv());
    try {
      await p.waitForLine(/"event":"up"/, 90_000);
      const lines = [...p.lines];
      expect(lines.filter((l) => !l.startsWith('{'))).toEqual([]);
      const entries = lines;
      expect(entries.length).toBeGreaterThan(10);
      expect(entries.flatMap((l) => duplicateKeys(l).map((k) => `${k} in ${l}`))).toEqual([]);
      const parsed = entries.map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(parsed.find((e) => e.msg === 'Mist API tokens validated')?.component).toBe('collector/mist');
      const progress = parsed.filter((e) => e.event === 'first-collection-progress');
      expect(progress.map((e) => [e.done, e.total, e.family, e.ok])).toEqual(FAMILY_NAMES.map((name, i) => [i + 1, FAMILY_NAMES.length, name, true]));
      const events = parsed.flatMap((e) => (typeof e.event === 'string' ? [e.event] : []));
      expect(events.filter((e) => e !== 'first-collection-progress')).toEqual(['simulator', 'waiting-for-first-collection', 'first-collection', 'up']);
      const report = parsed.find((e) => e.event === 'first-collection');
      expect(report).toMatchObject({ families: FAMILY_NAMES.length, failed: [] });
      expect(report?.msg).toMatch(REPORT);
      expect(String(report?.msg)).toContain(`${Number(report?.series).toLocaleString('en-US')} series`);
      expect(Number(report?.series)).toBeGreaterThan(100);
    } finally {
      await stop(p);
    }
  }, 120_000);
});

describe('LOG_FORMAT forces the format', () => {
  it.each([
    ['json', true, (l: string) => l.startsWith('{"level":30')],
    ['text', false, (l: string) => TEXT_LOG.test(l)],
  ] as const)('LOG_FORMAT=%s (terminal: %s)', async (format, tty, isFormat) => {
    const p = spawnCli(['sim', '--sites', '5', '--port', String(await freePort())], { LOG_FORMAT: format, LOG_LEVEL: 'info' }, { tty });
    try {
      const line = await p.waitForLine(/simulated org built and warmed up/, 60_000);
      expect(isFormat(line)).toBe(true);
    } finally {
      await stop(p);
    }
  }, 90_000);
});
