import { describe, expect, it } from 'vitest';
import { noticeFor } from '../../src/cli/notice.js';
import type { CliIo } from '../../src/cli/types.js';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/log.js';

const TOKEN = 'mist-token-abcdefghijklmnop';

function setup(env: Record<string, string>, stdoutIsTTY: boolean) {
  const config = loadConfig({ MIST_API_TOKENS: TOKEN, ...env }, { envFile: '/nonexistent' });
  const out: string[] = [];
  const logs: string[] = [];
  const io: CliIo = { stdout: (t) => void out.push(t), stderr: () => undefined, waitForShutdown: () => Promise.resolve('SIGTERM'), stdoutIsTTY };
  const log = createLogger({ level: 'info', format: 'json', secrets: [TOKEN], destination: { write: (l: string) => void logs.push(l) } });
  return { say: noticeFor({ config, log, io }), out, logs };
}

describe('noticeFor: progress for the person running the command', () => {
  it('on a terminal: the message as it is, on stdout, with configured secrets scrubbed', () => {
    const t = setup({}, true);
    t.say(`first collection 1/10 families: org, failed: 401 (${TOKEN})\n  second line`, { done: 1 }, 'short');
    expect(t.out).toEqual(['first collection 1/10 families: org, failed: 401 ([REDACTED])\n  second line\n']);
    expect(t.logs).toEqual([]);
  });

  it.each([
    ['piped', {}, false],
    ['LOG_FORMAT=json on a terminal', { LOG_FORMAT: 'json' }, true],
  ] as const)('%s: one JSON entry with the summary as msg and the numbers as fields, nothing else on stdout', (_name, env, tty) => {
    const t = setup(env, tty);
    t.say('long\nblock', { event: 'up', families: 10 }, 'is up');
    expect(t.out).toEqual([]);
    expect(t.logs.map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([expect.objectContaining({ msg: 'is up', event: 'up', families: 10 })]);
  });

  it('LOG_FORMAT=text when piped still prints plain lines', () => {
    const t = setup({ LOG_FORMAT: 'text' }, false);
    t.say('collected 10 families, 1 series in 0.1 s');
    expect(t.out).toEqual(['collected 10 families, 1 series in 0.1 s\n']);
  });
});
