import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseInventory, parseInventoryBytes, readInventoryFile, InventoryError, type InventoryFormat } from '../../src/inventory/load.js';
import type { Inventory } from '../../src/inventory/types.js';
import { spawnCli } from '../support/cli-process.js';
import { expositionProblems, runPipeline, samplesOf } from './input-support.js';

/**
 * Bad input, the circuit inventory (CIRCUIT_INVENTORY_FILE): every kind of mistake an operator makes in the CSV
 * or YAML file, each reported with its line (CSV) or entry and line (YAML), every one listed at once and nothing
 * else (a whole file of mistakes: each at its own line, none lost, none invented, lines right after quoted line
 * breaks, comments, CRLF and a byte-order mark); files in the wrong encoding or separator said so once; the real
 * CLI exits 2 listing them; and hostile names in a good file reach /metrics escaped.
 * tests/unit/inventory-parse.test.ts covers the reader's basics and common mistakes: not repeated here.
 */

const dir = mkdtempSync(join(tmpdir(), 'input-inventory-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const parse = (text: string, format: InventoryFormat = 'csv'): readonly string[] => parseInventory(text, format, 'f', 0).problems;
const COLUMNS = 'site, port, down_mbps, up_mbps, bandwidth_mbps, provider, circuit_id, role, notes, org';

describe('every kind of CSV mistake, one at a time: exactly its problem, at its line', () => {
  const H = 'site,port,down_mbps,up_mbps,bandwidth_mbps,provider,role,org\n';
  it.each([
    ['a header column without a name', 'site,,port\nS,x,wan1\n', ['line 1: column 2 of the header has no name']],
    ['a header column twice', 'site,port,Site\nS,wan1,T\n', ['line 1: column "site" appears twice in the header']],
    ['a misspelt column', 'site,port,down_mpbs\nS,wan1,100\n', [`line 1: unknown column "down_mpbs" (columns: ${COLUMNS})`]],
    ['no port column (named otherwise)', 'site,wan,down_mbps\nS,wan1,1\n', [`line 1: unknown column "wan" (columns: ${COLUMNS})`, 'line 1: the header has no "port" column (the first row names the columns: site,port,down_mbps,up_mbps,…)']],
    ['a row with too many fields (an unquoted comma)', `${H}S,wan1,12,5,,,,,\n`, ['line 2: has 9 field(s), the header has 8 (quote fields that contain a comma)']],
    ['a row with too few fields', `${H}S,wan1\n`, ['line 2: has 2 field(s), the header has 8 (quote fields that contain a comma)']],
    ['a unit after the number', `${H}S,wan1,100 Mbps,,,,,\n`, ['line 2: down_mbps "100 Mbps" is not a number of Mb/s (e.g. 100 or 12.5)']],
    ['a decimal comma (quoted)', `${H}S,wan1,"12,5",,,,,\n`, ['line 2: down_mbps "12,5" is not a number of Mb/s (e.g. 100 or 12.5)']],
    ['an exponent', `${H}S,wan1,1e3,,,,,\n`, ['line 2: down_mbps "1e3" is not a number of Mb/s (e.g. 100 or 12.5)']],
    ['NaN', `${H}S,wan1,NaN,,,,,\n`, ['line 2: down_mbps "NaN" is not a number of Mb/s (e.g. 100 or 12.5)']],
    ['Infinity', `${H}S,wan1,,Infinity,,,,\n`, ['line 2: up_mbps "Infinity" is not a number of Mb/s (e.g. 100 or 12.5)']],
    ['a negative number', `${H}S,wan1,-5,,,,,\n`, ['line 2: down_mbps -5 must be above 0']],
    ['zero', `${H}S,wan1,,,0,,,\n`, ['line 2: bandwidth_mbps 0 must be above 0']],
    ['kb/s written as Mb/s', `${H}S,wan1,2000000,,,,,\n`, ['line 2: down_mbps 2000000 is above 1000000 Mb/s (1 Tb/s): written in kb/s or b/s?']],
    ['bandwidth_mbps and down_mbps', `${H}S,wan1,100,,100,,,\n`, ['line 2: give bandwidth_mbps (symmetric) or down_mbps/up_mbps, not both']],
    ['a role in capitals', `${H}S,wan1,,,,,Primary,\n`, ['line 2: role "Primary" must be lowercase letters, digits and _ starting with a letter, as in CIRCUIT_ROLES (e.g. primary, secondary, backup)']],
    ['an org name instead of its id', `${H}S,wan1,,,,,,Acme\n`, ['line 2: org "Acme" is not a Mist org id (a UUID such as 6748cfa6-4e12-11e6-9188-0242ac110007; see GET /api/v1/self)']],
    ['no site', `${H} ,wan1,,,,,,\n`, ['line 2: site is missing (a Mist site id or site name)']],
    ['no port', `${H}S,"",,,,,,\n`, ['line 2: port is missing (a port_id such as ge-0/0/0 or a wan_name such as wan1)']],
    ['a provider longer than 200 characters', `${H}S,wan1,,,,${'p'.repeat(201)},,\n`, ['line 2: provider is longer than 200 characters']],
    ['the same circuit twice (case and spaces differ)', `${H}Store 1,wan1,,,,,,\n STORE 1 ,WAN1,,,,,,\n`, ['line 3: site "STORE 1" port "WAN1" is already given at line 2']],
    ['a quote never closed', `${H}"Store 1,wan1,,,,,,\n`, ['line 2: a quoted field is not closed (a " is missing)']],
    ['text after a closing quote', `${H}"Store" 1,wan1,,,,,,\n`, ['line 2: stray " or text after a quoted field (quote the whole field and double inner quotes: "a ""b""")']],
    ['a quote inside an unquoted field', `${H}Store 5",wan1,,,,,,\n`, ['line 2: stray " or text after a quoted field (quote the whole field and double inner quotes: "a ""b""")']],
    ['separated by semicolons (a European spreadsheet)', 'site;port;down_mbps\nS;wan1;100\n', ['line 1: the header\'s columns are separated by ";", not commas: save the file as comma-separated CSV (Excel: "CSV UTF-8 (Comma delimited)")']],
    ['separated by tabs', 'site\tport\tdown_mbps\nS\twan1\t100\n', ['line 1: the header\'s columns are separated by tabs, not commas: save the file as comma-separated CSV (Excel: "CSV UTF-8 (Comma delimited)")']],
    ['an empty file', '', ['the file has no entries (an inventory needs at least one circuit; unset CIRCUIT_INVENTORY_FILE to run without one)']],
    ['a header only', `\uFEFF# circuits\n${H}`, ['the file has no entries (an inventory needs at least one circuit; unset CIRCUIT_INVENTORY_FILE to run without one)']],
  ])('%s', (_what, text, problems) => {
    expect(parse(text)).toEqual(problems);
  });

  it('rows of empty fields only (a spreadsheet\'s formatted blank rows) are blank lines, not missing sites', () => {
    const r = parseInventory('site,port,down_mbps\r\n,,\r\nS,wan1,100\r\n,,\r\n,,\r\n', 'csv', 'f', 0);
    expect(r.problems).toEqual([]);
    expect(r.inventory!.entries.map((e) => [e.site, e.line])).toEqual([['S', 3]]);
  });
});

describe('files that are not UTF-8 text: one clear problem, not garbled names', () => {
  const good = 'site,port,down_mbps\nZürich,wan1,100\n';
  it.each([
    ['UTF-16 LE with a byte-order mark (Excel "Unicode Text")', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(good, 'utf16le')]),
      ['the file is UTF-16 text (a UTF-16 byte-order mark; Excel\'s "Unicode Text"): save it as UTF-8 (Excel: "CSV UTF-8 (Comma delimited)")']],
    ['UTF-16 without a byte-order mark', Buffer.from(good, 'utf16le'),
      ['line 1: the file contains NUL bytes, so it is not text (a spreadsheet workbook, or UTF-16 without a byte-order mark?): save it as UTF-8 (Excel: "CSV UTF-8 (Comma delimited)")']],
    ['a workbook renamed .csv (zip)', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00]),
      ['line 1: the file contains NUL bytes, so it is not text (a spreadsheet workbook, or UTF-16 without a byte-order mark?): save it as UTF-8 (Excel: "CSV UTF-8 (Comma delimited)")']],
    ['Windows-1252 (Excel\'s plain "CSV"): each bad line', Buffer.from('site,port\nZürich,wan1\nBern,wan1\nGenève,wan2\n', 'latin1'),
      [2, 4].map((n) => `line ${n}: not valid UTF-8 (written in another encoding, such as Windows-1252 or Latin-1?): save it as UTF-8 (Excel: "CSV UTF-8 (Comma delimited)")`)],
  ])('%s', (_what, bytes, problems) => {
    const r = parseInventoryBytes(bytes, 'csv', 'f', 0);
    expect(r.inventory).toBeNull();
    expect(r.problems).toEqual(problems);
  });

  it('UTF-8 with a byte-order mark and names in any script is read as written', () => {
    const r = parseInventoryBytes(Buffer.from(`\uFEFF${good}Genève 日本,wan2,50\n`), 'csv', 'f', 0);
    expect(r.problems).toEqual([]);
    expect(r.inventory!.entries.map((e) => e.site)).toEqual(['Zürich', 'Genève 日本']);
  });
});

describe('every kind of YAML mistake, one at a time', () => {
  it.each([
    ['a tab in the indentation', 'circuits:\n\t- site: S\n', [expect.stringMatching(/^line 2: /)]],
    ['a misspelt top-level key', 'circuit:\n  - site: S\n    port: wan1\n', ['line 1: unknown top-level key(s) "circuit" (expected "circuits:")']],
    ['circuits as a mapping', 'circuits:\n  site: S\n  port: wan1\n', ['line 2: "circuits" must be a list of entries (- site: …)']],
    ['a top-level text', 'just some text\n', ['line 1: "circuits" must be a list of entries (- site: …)']],
    ['an entry that is text', 'circuits:\n  - S wan1\n', ['entry #1 (line 2): must be a mapping of column: value']],
    ['an empty entry', 'circuits:\n  - site: S\n    port: wan1\n  -\n', ['entry #2 (line 4): must be a mapping of column: value']],
    ['a list value', 'circuits:\n  - site: S\n    port: [wan1, wan2]\n', ['entry #1 (line 2): "port" must be a single value, not a list or mapping', 'entry #1 (line 2): port is missing (a port_id such as ge-0/0/0 or a wan_name such as wan1)']],
    ['a key twice', 'circuits:\n  - site: S\n    port: wan1\n    port: wan2\n', [expect.stringMatching(/^line 4: Map keys must be unique/)]],
    ['a misspelt key', 'circuits:\n  - site: S\n    port: wan1\n    bandwith_mbps: 100\n', [`entry #1 (line 2): unknown column "bandwith_mbps" (columns: ${COLUMNS})`]],
    ['a unit after the number', 'circuits:\n  - site: S\n    port: wan1\n    up_mbps: 20M\n', ['entry #1 (line 2): up_mbps "20M" is not a number of Mb/s (e.g. 100 or 12.5)']],
    ['two documents', 'circuits:\n  - site: S\n    port: wan1\n---\ncircuits: []\n', ['line 4: the file holds more than one YAML document (a "---" line starts another): keep one "circuits:" list']],
    ['the same circuit twice', 'circuits:\n  - {site: S, port: wan1}\n  - {site: s, port: WAN1}\n', ['entry #2 (line 3): site "s" port "WAN1" is already given at entry #1 (line 2)']],
  ])('%s', (_what, text, problems) => {
    expect(parse(text, 'yaml')).toEqual(problems);
  });
});

/** A file with one of each CSV mistake among good rows, comments, a quoted line break, CRLF and a BOM. */
const MANY_CSV = '\uFEFF# circuit inventory, maintained by the NOC\r\n' +
  'site,port,down_mbps,up_mbps,bandwidth_mbps,provider,circuit_id,role,org\r\n' + // 2
  'Store 1,wan1,100,20,,"Acme, Inc.","A-1\r\nsecond line",primary,\r\n' + // 3-4: good, a quoted comma and line break
  '\r\n' + // 5
  '# the branch offices\r\n' + // 6
  ',wan1,100,20,,,,,\r\n' + // 7: no site
  'Store 2,,100,20,,,,,\r\n' + // 8: no port
  'Store 3,wan1,100 Mbps,20,,,,,\r\n' + // 9: a unit
  'Store 4,wan1,-1,0,,,,,\r\n' + // 10: negative, zero
  'Store 5,wan1,100,,100,,,,\r\n' + // 11: both forms
  'Store 6,wan1,,,,,,Backup,\r\n' + // 12: role
  'Store 7,wan1,,,,,,,Acme\r\n' + // 13: org
  'store 1,WAN1,,,,,,,\r\n' + // 14: duplicate of line 3
  'Store 8,wan1,2000000,,,,,,\r\n' + // 15: kb/s
  'Store 9,wan1,100\r\n' + // 16: short row
  ',,,,,,,,\r\n' + // 17: blank (spreadsheet)
  'Store 10,wan1,100,20,,,,,\r\n' + // 18: good
  '"Store "11",wan1,,,,,,,\r\n'; // 19: stray quote
const MANY_CSV_PROBLEMS = [
  'line 19: stray " or text after a quoted field',
  'line 16: has 3 field(s), the header has 9',
  'line 7: site is missing',
  'line 8: port is missing',
  'line 9: down_mbps "100 Mbps" is not a number of Mb/s',
  'line 10: down_mbps -1 must be above 0',
  'line 10: up_mbps 0 must be above 0',
  'line 11: give bandwidth_mbps (symmetric) or down_mbps/up_mbps, not both',
  'line 12: role "Backup" must be lowercase',
  'line 13: org "Acme" is not a Mist org id',
  'line 14: site "store 1" port "WAN1" is already given at line 3',
  'line 15: down_mbps 2000000 is above 1000000 Mb/s',
];

const MANY_YAML = '# circuits of the org\n' +
  'circuits:\n' + // 2
  '  - site: Store 1\n    port: wan1\n    down_mbps: 100\n' + // #1 line 3: good
  '  - port: wan2\n' + // #2 line 6: no site
  '  - site: Store 2\n    port: wan1\n    up_mbps: fast\n    colour: red\n' + // #3 line 7: a word, unknown key
  '  - Store 3 wan1\n' + // #4 line 11: not a mapping
  '  - site: Store 4\n    port: [wan1, wan2]\n' + // #5 line 12: a list
  '  - site: store 1\n    port: WAN1\n    role: 1st\n' + // #6 line 14: duplicate of #1, role
  '  - {site: Store 5, port: wan1, bandwidth_mbps: 0, org: acme}\n'; // #7 line 17: zero, org
const MANY_YAML_PROBLEMS = [
  'entry #4 (line 11): must be a mapping of column: value',
  'entry #5 (line 12): "port" must be a single value, not a list or mapping',
  'entry #2 (line 6): site is missing',
  'entry #3 (line 7): unknown column "colour"',
  'entry #3 (line 7): up_mbps "fast" is not a number of Mb/s',
  'entry #5 (line 12): port is missing',
  'entry #6 (line 14): role "1st" must be lowercase',
  'entry #6 (line 14): site "store 1" port "WAN1" is already given at entry #1 (line 3)',
  'entry #7 (line 17): bandwidth_mbps 0 must be above 0',
  'entry #7 (line 17): org "acme" is not a Mist org id',
];

describe('a file full of mistakes: every one listed at once, at its line, nothing else', () => {
  it.each([
    ['CSV', 'csv' as const, MANY_CSV, MANY_CSV_PROBLEMS],
    ['YAML', 'yaml' as const, MANY_YAML, MANY_YAML_PROBLEMS],
  ])('%s', (_what, format, text, expected) => {
    const problems = parse(text, format);
    expect(problems).toHaveLength(expected.length);
    expected.forEach((start, i) => expect(problems[i], `problem ${i + 1}`).toMatch(new RegExp(`^${start.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`)));
  });

  it('the same file read from disk: one InventoryError naming the file, with every problem', async () => {
    const file = join(dir, 'many.csv');
    writeFileSync(file, MANY_CSV);
    const err = await readInventoryFile(file).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(InventoryError);
    expect((err as InventoryError).message.split('\n')[0]).toBe(`circuit inventory ${file}: ${MANY_CSV_PROBLEMS.length} problem(s):`);
    expect((err as InventoryError).problems).toHaveLength(MANY_CSV_PROBLEMS.length);
  });

  it('the real CLI: `collector` exits 2 naming the file and listing every problem, before Redis or Mist', async () => {
    for (const [name, text, expected] of [['many.csv', MANY_CSV, MANY_CSV_PROBLEMS], ['many.yaml', MANY_YAML, MANY_YAML_PROBLEMS]] as const) {
      const file = join(dir, name);
      writeFileSync(file, text);
      const p = spawnCli(['collector'], { LOG_LEVEL: 'warn', CIRCUIT_INVENTORY_FILE: file, REDIS_URL: 'redis://127.0.0.1:1', MIST_API_TOKENS: 'not-a-real-token-1234' });
      const code = await p.exited;
      const out = p.lines.join('\n');
      expect(code, out).toBe(2);
      expect(out).toContain(`invalid circuit inventory ${file} (CIRCUIT_INVENTORY_FILE):`);
      for (const problem of expected) expect(out).toContain(problem);
      expect(out).not.toMatch(/ECONNREFUSED|rejected/);
    }
  }, 40_000);
});

describe('hostile names in a good inventory reach /metrics escaped', () => {
  const SITE = 'c1698122-c14c-11e5-8e81-1258369c38a9';
  const names = ['O\'Hare "Plaza"', 'back\\slash', 'line\nbreak', '🛰️ Zürich 👩‍👩‍👧', 'a},b="c', `${'Ω'.repeat(199)}!`, '\\n', '#'];
  const quote = (s: string): string => `"${s.replace(/"/g, '""')}"`;
  const csv = 'site,port,bandwidth_mbps,provider,circuit_id\n' +
    `${SITE},ge-0/0/0,100,${quote(names[0]!)},${quote(names[1]!)}\n` +
    names.map((n, i) => `${quote(n)},${quote(names[(i + 1) % names.length]!)},10,,\n`).join('');

  it('matched entries carry hostile providers and circuit ids; unmatched ones their hostile site and port, exactly', async () => {
    const parsed = parseInventory(csv, 'csv', 'hostile.csv', 0);
    expect(parsed.problems).toEqual([]);
    const inventory: Inventory = parsed.inventory!;
    const run = await runPipeline('circuits', undefined, { settings: { inventory: () => inventory }, after: ['sites'] });
    expect(run.results.every((r) => r.result.ok)).toBe(true);
    const text = run.rendered!.text;
    expect(run.rendered!.invalid).toBe(0);
    expect(expositionProblems(text)).toEqual([]);
    const samples = samplesOf(text);
    const port = samples.find((s) => s.name === 'mist_wan_port_info' && s.labels.get('port_id') === 'ge-0/0/0')!;
    expect([port.labels.get('provider'), port.labels.get('circuit_id'), port.labels.get('bandwidth_source')]).toEqual([names[0], names[1], 'inventory']);
    const unmatched = samples.filter((s) => s.name === 'mist_wan_inventory_unmatched_entry');
    expect(unmatched.map((s) => [s.labels.get('site'), s.labels.get('port'), s.labels.get('reason')]).sort())
      .toEqual(names.map((n, i) => [n, names[(i + 1) % names.length], 'unknown site']).sort());
    const res = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(res.error, 'promtool missing').toBeUndefined();
    expect({ status: res.status, out: res.stdout + res.stderr }).toEqual({ status: 0, out: '' });
  });
});
