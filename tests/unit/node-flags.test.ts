import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { missingNodeFlags, NODE_FLAGS } from '../../src/node-flags.js';

const root = new URL('../../', import.meta.url);
const read = (p: string): string => readFileSync(new URL(p, root), 'utf8');

describe('recommended node flags', () => {
  it('are on the bin\'s shebang and on every npm script that runs the CLI', () => {
    const shebang = read('src/cli.ts').split('\n')[0]!;
    expect(shebang.startsWith('#!/usr/bin/env -S node ')).toBe(true);
    expect(shebang.split(' ').slice(3)).toEqual([...NODE_FLAGS]);
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    const cliScripts = Object.entries(scripts).filter(([, cmd]) => cmd.includes('src/cli.ts'));
    expect(cliScripts.map(([name]) => name).sort()).toEqual(['cli', 'demo', 'sim']);
    for (const [, cmd] of cliScripts) expect(cmd).toBe(`tsx ${NODE_FLAGS.join(' ')} src/cli.ts${cmd.split('src/cli.ts')[1]}`);
  });

  it('tells which are missing, from the command line or NODE_OPTIONS', () => {
    expect(missingNodeFlags([], '')).toEqual([...NODE_FLAGS]);
    expect(missingNodeFlags([...NODE_FLAGS], '')).toEqual([]);
    expect(missingNodeFlags([], NODE_FLAGS.join(' '))).toEqual([]);
    // Another value of the same flag is the operator's choice, not a missing flag.
    expect(missingNodeFlags(['--max-semi-space-size=16'], '')).toEqual([]);
    expect(missingNodeFlags(['--max-old-space-size=4096'], '--inspect')).toEqual([...NODE_FLAGS]);
  });
});
