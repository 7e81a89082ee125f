import { describe, expect, it } from 'vitest';
import { createLogger, prettyLine } from '../../src/log.js';
import type { LogFormat } from '../../src/log.js';

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
  it.each(['json', 'pretty'] as const)('never writes a known secret in messages or errors (%s)', (format) => {
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

  it('respects the level', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'warn', format: 'json', destination: { write: (l: string) => void lines.push(l) } });
    log.info('hidden');
    log.warn('shown');
    expect(lines).toHaveLength(1);
  });
});

describe('prettyLine', () => {
  it('prints time, level, component, message and fields on one line', () => {
    const json = JSON.stringify({ level: 40, time: '2025-01-02T03:04:05.678Z', pid: 1, component: 'sim', msg: 'slow', ms: 12, path: '/a b' });
    expect(prettyLine(json)).toBe('03:04:05.678 WARN  [sim] slow ms=12 path="/a b"\n');
  });

  it('appends the error stack indented below the line', () => {
    const json = JSON.stringify({ level: 50, time: '2025-01-02T03:04:05.678Z', msg: 'failed', err: { stack: 'Error: x\n    at y' } });
    expect(prettyLine(json)).toBe('03:04:05.678 ERROR failed\n    Error: x\n        at y\n');
  });
});
