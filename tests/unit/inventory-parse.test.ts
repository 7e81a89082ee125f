import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseCsv } from '../../src/inventory/csv.js';
import { inventoryFormatOf, parseInventory } from '../../src/inventory/load.js';
import { MBPS_TO_BYTES_PER_SECOND } from '../../src/inventory/validate.js';

const csv = (text: string) => parseInventory(text, 'csv', 'inv.csv', 1000);
const yaml = (text: string) => parseInventory(text, 'yaml', 'inv.yaml', 1000);

describe('CSV reader', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, CRLF, a BOM, comments and blank lines', () => {
    const text = '\uFEFF# comment\r\na,b,c\r\n\r\n"x, y","say ""hi""",  z  \r\n"multi\nline",2,3\n#c2\nlast,, \n';
    const { rows, problems } = parseCsv(text);
    expect(problems).toEqual([]);
    expect(rows).toEqual([
      { line: 2, fields: ['a', 'b', 'c'] },
      { line: 4, fields: ['x, y', 'say "hi"', 'z'] },
      { line: 5, fields: ['multi\nline', '2', '3'] },
      { line: 8, fields: ['last', '', ''] },
    ]);
  });

  it('reports an unclosed quote and a stray quote with their lines', () => {
    expect(parseCsv('a,b\nx"y,1\n').problems).toEqual([expect.stringMatching(/^line 2: stray "/)]);
    expect(parseCsv('a,b\n"open,1\nmore\n').problems).toEqual([expect.stringMatching(/^line 2: a quoted field is not closed/)]);
  });
});

describe('inventory parse and validation', () => {
  it('reads a good CSV: Mb/s to bytes/s, symmetric bandwidth_mbps, empty fields as null, case-insensitive header', () => {
    const r = csv('Site,PORT,down_mbps,up_mbps,bandwidth_mbps,provider,circuit_id,role,notes\n' +
      'Store 0001 Austin,wan1,100,20,,Comcast Business,"CB-001, A",primary,cable\n' +
      '5e3f0a8c-0000-4000-8000-000000000001,ge-0/0/1,,,500,,,,\n' +
      'Store 0002 Dallas,mpls,12.5,,,,00123,backup_2,\n');
    expect(r.problems).toEqual([]);
    expect(r.inventory).toEqual({
      source: 'inv.csv', loadedAt: 1000, entries: [
        { site: 'Store 0001 Austin', port: 'wan1', line: 2, downBytesPerSecond: 12_500_000, upBytesPerSecond: 2_500_000, provider: 'Comcast Business', circuitId: 'CB-001, A', role: 'primary', org: null },
        { site: '5e3f0a8c-0000-4000-8000-000000000001', port: 'ge-0/0/1', line: 3, downBytesPerSecond: 62_500_000, upBytesPerSecond: 62_500_000, provider: null, circuitId: null, role: null, org: null },
        { site: 'Store 0002 Dallas', port: 'mpls', line: 4, downBytesPerSecond: 12.5 * MBPS_TO_BYTES_PER_SECOND, upBytesPerSecond: null, provider: null, circuitId: '00123', role: 'backup_2', org: null },
      ],
    });
  });

  it('lists every CSV mistake at once, each with its line', () => {
    const r = csv('site,port,down_mbps,up_mbps,bandwidth_mbps,provider,role,speed\n' +
      ',wan1,100,20,,,,\n' + // 2: missing site
      'S1,,100,20,,,,\n' + // 3: missing port
      'S1,wan1,abc,20,,,,\n' + // 4: bad number
      'S1,wan2,-5,0,,,,\n' + // 5: negative and zero
      'S1,wan3,,,100,,Primary,\n' + // 6: bad role
      's1,WAN1,100,20,,,,\n' + // 7: duplicate of line 4 (case-insensitive)
      'S1,wan4,100,20,100,,,\n' + // 8: both forms
      'S1,wan5,2000000,,,,,\n' + // 9: absurd
      'S1,wan6,100\n'); // 10: short row
    expect(r.inventory).toBeNull();
    expect(r.problems).toEqual([
      expect.stringMatching(/^line 1: unknown column "speed"/),
      'line 10: has 3 field(s), the header has 8 (quote fields that contain a comma)',
      'line 2: site is missing (a Mist site id or site name)',
      expect.stringMatching(/^line 3: port is missing/),
      expect.stringMatching(/^line 4: down_mbps "abc" is not a number/),
      'line 5: down_mbps -5 must be above 0',
      'line 5: up_mbps 0 must be above 0',
      expect.stringMatching(/^line 6: role "Primary" must be lowercase/),
      'line 7: site "s1" port "WAN1" is already given at line 4',
      'line 8: give bandwidth_mbps (symmetric) or down_mbps/up_mbps, not both',
      expect.stringMatching(/^line 9: down_mbps 2000000 is above 1000000 Mb\/s/),
    ]);
  });

  it('rejects a header without site or port once, and an empty or header-only file', () => {
    expect(csv('site,down_mbps\nS1,100\nS2,200\n').problems).toEqual([expect.stringMatching(/^line 1: the header has no "port" column/)]);
    expect(csv('').problems).toEqual([expect.stringMatching(/^the file has no entries/)]);
    expect(csv('# only a comment\nsite,port,down_mbps\n').problems).toEqual([expect.stringMatching(/^the file has no entries/)]);
    expect(yaml('circuits: []\n').problems).toEqual([expect.stringMatching(/^the file has no entries/)]);
    expect(yaml('').problems).toEqual([expect.stringMatching(/^the file has no entries/)]);
  });

  it('reads YAML (circuits: list or a bare list) keeping values as written', () => {
    const text = 'circuits:\n  - site: Store 0001 Austin\n    port: wan1\n    down_mbps: 100\n    up_mbps: 20\n    circuit_id: 00123\n    provider: ~\n' +
      '  - { site: S2, port: ge-0/0/0, bandwidth_mbps: 1000.5, role: secondary }\n';
    const r = yaml(text);
    expect(r.problems).toEqual([]);
    expect(r.inventory!.entries).toEqual([
      { site: 'Store 0001 Austin', port: 'wan1', line: 1, downBytesPerSecond: 12_500_000, upBytesPerSecond: 2_500_000, provider: null, circuitId: '00123', role: null, org: null },
      { site: 'S2', port: 'ge-0/0/0', line: 2, downBytesPerSecond: 1000.5 * MBPS_TO_BYTES_PER_SECOND, upBytesPerSecond: 1000.5 * MBPS_TO_BYTES_PER_SECOND, provider: null, circuitId: null, role: 'secondary', org: null },
    ]);
    expect(yaml('- site: S\n  port: p\n').inventory!.entries).toHaveLength(1);
  });

  it('lists every YAML mistake at once, each with its entry number and line', () => {
    const r = yaml('circuits:\n' +
      '  - port: wan1\n' + // #1 line 2: missing site
      '  - site: S\n    port: wan1\n    up_mbps: fast\n    colour: red\n' + // #2 line 3: bad number, unknown key
      '  - just text\n' + // #3 line 7: not a mapping
      '  - site: S\n    port: [a, b]\n' + // #4 line 8: a list value, then port missing
      '  - site: s\n    port: WAN1\n    role: 1st\n'); // #5 line 10: duplicate of #2, bad role
    expect(r.inventory).toBeNull();
    expect(r.problems).toEqual([
      'entry #3 (line 7): must be a mapping of column: value',
      'entry #4 (line 8): "port" must be a single value, not a list or mapping',
      'entry #1 (line 2): site is missing (a Mist site id or site name)',
      expect.stringMatching(/^entry #2 \(line 3\): unknown column "colour"/),
      expect.stringMatching(/^entry #2 \(line 3\): up_mbps "fast" is not a number/),
      expect.stringMatching(/^entry #4 \(line 8\): port is missing/),
      expect.stringMatching(/^entry #5 \(line 10\): role "1st" must be lowercase/),
      'entry #5 (line 10): site "s" port "WAN1" is already given at entry #2 (line 3)',
    ]);
  });

  it('reports YAML syntax errors and unknown top-level keys with their lines', () => {
    expect(yaml('circuits:\n  - site: a\n    site: b\n').problems).toEqual([expect.stringMatching(/^line 3: Map keys must be unique/)]);
    expect(yaml('circuit:\n  - site: a\n    port: b\n').problems).toEqual(expect.arrayContaining([expect.stringMatching(/^line 1: unknown top-level key\(s\) "circuit"/)]));
    expect(yaml('circuits: nope\n').problems).toEqual([expect.stringMatching(/"circuits" must be a list/)]);
  });

  it('chooses the format by extension', () => {
    expect(['a.csv', 'b.YAML', 'c.yml', 'd.json', 'e'].map(inventoryFormatOf)).toEqual(['csv', 'yaml', 'yaml', undefined, undefined]);
  });

  it('scopes an entry to an org by its id (case-insensitive), lists a malformed org, and lets two orgs name the same site and port', () => {
    const A = '0B7E3F6C-1111-4A2B-9C3D-AAAAAAAAAAAA';
    const B = '0b7e3f6c-2222-4a2b-9c3d-bbbbbbbbbbbb';
    const good = csv(`site,port,bandwidth_mbps,org\nStore 1,wan1,100,${A}\nStore 1,wan1,200,${B}\nStore 1,wan1,300,\n`);
    expect(good.problems).toEqual([]);
    expect(good.inventory!.entries.map((e) => e.org)).toEqual([A.toLowerCase(), B, null]);
    const bad = csv(`site,port,bandwidth_mbps,org\nStore 1,wan1,100,Acme Corp\nStore 1,wan1,100,${B}\nstore 1,WAN1,100,${B.toUpperCase()}\n`);
    expect(bad.inventory).toBeNull();
    expect(bad.problems).toEqual([
      expect.stringMatching(/^line 2: org "Acme Corp" is not a Mist org id \(a UUID/),
      `line 4: site "store 1" port "WAN1" of org ${B.toUpperCase()} is already given at line 3`,
    ]);
  });

  it('the documented example files are valid and say the same thing', () => {
    const fromCsv = csv(readFileSync(new URL('../../docs/examples/circuit-inventory.csv', import.meta.url), 'utf8'));
    const fromYaml = yaml(readFileSync(new URL('../../docs/examples/circuit-inventory.yaml', import.meta.url), 'utf8'));
    expect(fromCsv.problems).toEqual([]);
    expect(fromYaml.problems).toEqual([]);
    const strip = (entries: readonly object[]) => entries.map((e) => ({ ...e, line: 0 }));
    expect(strip(fromYaml.inventory!.entries)).toEqual(strip(fromCsv.inventory!.entries));
    expect(fromCsv.inventory!.entries.length).toBeGreaterThanOrEqual(4);
  });
});
