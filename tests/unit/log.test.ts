import { describe, expect, it } from 'vitest';
import { createLogger, resolveLogFormat, textLine } from '../../src/log.js';
import type { LogFormat } from '../../src/log.js';
import { duplicateKeys } from '../support/json-keys.js';

const TOKEN = 'tok-9f8e7d6c5b4a';
const PASSWORD = 'pa"ss\\word';

function capture(format: LogFormat = 'json') {
  const lines: string[] = [];
  const log = createLogger({
    level: 'trace',
    format,
    secrets: [TOKEN, PASSWORD, ''],
    destination: { write: (line: string) => void lines.push(line) },
  });
  return { log, text: () => lines.join(''), entries: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('createLogger', () => {
  it.each(['json', 'text'] as const)('never writes a known secret in messages or errors (%s)', (format) => {
    const { log, text } = capture(format);
    log.info(`calling Mist with ${TOKEN}`);
    log.warn('token %s rejected', TOKEN);
    log.error({ err: new Error(`401 for ${TOKEN}`) }, 'request failed');
    log.info({ detail: { nested: [`x${TOKEN}y`] }, note: PASSWORD }, 'nested');
    log.child({ token_hint: TOKEN }).info('bound');
    expect(text()).not.toContain(TOKEN);
    expect(text()).not.toContain('pa"ss');
    expect(text()).not.toContain('pa\\"ss');
    expect(text()).toContain('[REDACTED]');
  });

  it('redacts authorization headers and token/password fields by name', () => {
    const { log, text, entries } = capture();
    log.info({ req: { headers: { authorization: 'Token unknown-secret-1' } } }, 'in');
    log.info({ headers: { authorization: 'Bearer unknown-secret-2' } }, 'out');
    log.info({ upstream: { authorization: 'Basic unknown-secret-3' }, token: 'unknown-secret-4' }, 'x');
    log.info({ tokens: ['unknown-secret-5'], redis: { password: 'unknown-secret-6' } }, 'y');
    expect(text()).not.toContain('unknown-secret');
    expect(entries()[0]).toMatchObject({ req: { headers: { authorization: '[REDACTED]' } } });
  });

  it('child loggers carry their component', () => {
    const { log, entries } = capture();
    log.child({ component: 'sim' }).info('started');
    expect(entries()[0]).toMatchObject({ component: 'sim', msg: 'started', level: 30 });
  });

  it('a child component under a parent component is one key with the joined path, not the key twice', () => {
    const { log, text, entries } = capture();
    const collector = log.child({ component: 'collector', replica: 2 });
    collector.child({ component: 'mist' }).info('tokens validated');
    collector.child({ component: 'scheduler' }).child({ family: 'gateways' }).child({ component: 'cycle' }).warn('slow');
    collector.child({ family: 'sle' }).info('plain child');
    for (const line of text().trim().split('\n')) expect(duplicateKeys(line)).toEqual([]);
    expect(entries().map((e) => [e.component, e.replica, e.family, e.msg])).toEqual([
      ['collector/mist', 2, undefined, 'tokens validated'],
      ['collector/scheduler/cycle', 2, 'gateways', 'slow'],
      ['collector', 2, 'sle', 'plain child'],
    ]);
    expect(entries().every((e) => typeof e.pid === 'number')).toBe(true);
  });

  it('a nested child keeps its parent\'s level', () => {
    const { log, entries } = capture();
    const quiet = log.child({ component: 'collector' });
    quiet.level = 'warn';
    quiet.child({ component: 'mist' }).info('hidden');
    quiet.child({ component: 'mist' }).warn('shown');
    expect(entries().map((e) => e.msg)).toEqual(['shown']);
  });

  it('text format writes one plain line per entry, with the nested component', () => {
    const { log, text } = capture('text');
    log.child({ component: 'collector' }).child({ component: 'mist' }).info({ orgs: 1 }, 'Mist API tokens validated');
    expect(text()).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}\[collector\/mist\] Mist API tokens validated orgs=1\n$/);
  });

  it('respects the level', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'warn', format: 'json', destination: { write: (l: string) => void lines.push(l) } });
    log.info('hidden');
    log.warn('shown');
    expect(lines).toHaveLength(1);
  });
});

describe('resolveLogFormat', () => {
  it.each([
    ['auto', true, 'text'],
    ['auto', false, 'json'],
    ['json', true, 'json'],
    ['text', false, 'text'],
    ['pretty', false, 'text'],
  ] as const)('LOG_FORMAT=%s with a terminal: %s -> %s', (setting, tty, format) => {
    expect(resolveLogFormat(setting, tty)).toBe(format);
  });
});

describe('duplicateKeys (test helper)', () => {
  it('finds a key repeated in one object, and only there', () => {
    expect(duplicateKeys('{"a":1,"component":"x","component":"y","n":{"a":2,"s":"\\"a\\":"}}')).toEqual(['component']);
    expect(duplicateKeys('{"a":{"b":1},"c":[{"b":2},{"b":3}]}')).toEqual([]);
  });
});

describe('textLine', () => {
  it('prints time, level, component, message and fields on one line', () => {
    const json = JSON.stringify({ level: 40, time: '2025-01-02T03:04:05.678Z', pid: 1, component: 'sim', msg: 'slow', ms: 12, path: '/a b' });
    expect(textLine(json)).toBe('03:04:05.678 WARN  [sim] slow ms=12 path="/a b"\n');
  });

  it('appends the error stack indented below the line', () => {
    const json = JSON.stringify({ level: 50, time: '2025-01-02T03:04:05.678Z', msg: 'failed', err: { stack: 'Error: x\n    at y' } });
    expect(textLine(json)).toBe('03:04:05.678 ERROR failed\n    Error: x\n        at y\n');
  });
});
