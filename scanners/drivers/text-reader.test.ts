import { describe, expect, it } from 'vitest';
import { assembleRead } from '../assemble-read.ts';
import type { ReaderConfig } from '../contract.ts';
import { DuplicateWindow } from '../duplicate-window.ts';
import { textDialect } from './text-reader.ts';

const enc = new TextEncoder();
const config = (options: ReaderConfig['options'], multi?: ReaderConfig['multi']): ReaderConfig => ({ kind: 'text', endpoint: { kind: 'tcp', host: '127.0.0.1', port: 1 }, options, ...(multi ? { multi } : {}) });

describe('text reader dialect', () => {
  it('strips the prefix, recognises the no-read string, passes code bytes untouched', () => {
    const d = textDialect(config({ prefix: '>>', noRead: 'NR' }));
    expect(d.classify(enc.encode('>>NR'))).toEqual({ kind: 'no-read' });
    expect(d.classify(enc.encode('NR'))).toMatchObject({ kind: 'invalid' });
    const m = d.classify(enc.encode('>>码A'));
    expect(m.kind === 'read' && new TextDecoder().decode(m.payload)).toBe('码A');
  });

  it('reads an output template with a checked count and ignored vendor fields', () => {
    const d = textDialect(config({ template: 'N={count}|{codes}|T={skip}' }, { separator: ',' }));
    const m = d.classify(enc.encode('N=3|A,B,C|T=12:00:01.123'));
    expect(m).toMatchObject({ kind: 'read', count: 3 });
    if (m.kind !== 'read') return;
    const ok = assembleRead(m.payload, { trigger: { id: 1, source: 'software' }, multi: { separator: ',' }, window: new DuplicateWindow(0), now: 0, count: m.count });
    expect(ok.kind === 'read' && ok.codes.map((c) => c.text)).toEqual(['A', 'B', 'C']);
    const short = d.classify(enc.encode('N=24|A,B|T=x'));
    if (short.kind !== 'read') throw new Error('expected a read');
    const bad = assembleRead(short.payload, { trigger: { id: 2, source: 'software' }, multi: { separator: ',' }, window: new DuplicateWindow(0), now: 0, count: short.count });
    expect(bad).toMatchObject({ kind: 'no-read', cause: 'all-rejected', rejected: [{ reason: 'count-mismatch' }] });
    expect(d.classify(enc.encode('garbage'))).toMatchObject({ kind: 'invalid' });
  });

  it('refuses bad configuration, naming the field', () => {
    expect(() => textDialect(config({ template: '{count};{count};{codes}' }))).toThrow('options.template');
    expect(() => textDialect(config({ template: 'no codes here' }))).toThrow('options.template');
    expect(() => textDialect(config({ terminator: '' }))).toThrow('options.terminator');
    expect(() => textDialect(config({ startByte: 'AB' }))).toThrow('options.startByte');
    expect(() => textDialect(config({}, { separator: '\x1d' }))).toThrow('multi.separator');
  });
});
