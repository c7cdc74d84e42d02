// Citations in descriptions: resolved against the object's own external references, on the real ATT&CK
// bundles and on names and addresses that try to break out of the Markdown.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { linkCitations } from './citations.js';
import { renderMarkdown } from '../platform/text/markdown.js';

const DATA = new URL('../../../shared/data/attack/', import.meta.url);
const refs = (...pairs: Array<[string, string?]>) => pairs.map(([source_name, url]) => ({ source_name, ...(url ? { url } : {}) }));

describe('citations in descriptions', () => {
  it('links a citation to its source and keeps the words around it', () => {
    const md = linkCitations('Validate every input.(Citation: PLCTop20 Mar 2023) Then log it.', refs(['mitre-attack', 'https://attack.mitre.org/mitigations/M0818'], ['PLCTop20 Mar 2023', 'https://plc-security.com/top20.pdf']));
    const html = renderMarkdown(md);
    expect(html).toContain('Validate every input. (<a href="https://plc-security.com/top20.pdf"');
    expect(html).toContain('>PLCTop20 Mar 2023</a>) Then log it.');
    expect(html).not.toContain('Citation:');
  });

  it('reads a run of citations as one list, and names that hold parentheses whole', () => {
    const md = linkCitations('Seen in Ukraine (Citation: BlackEnergy (Group))(Citation: Dragos 2017) (Citation: BlackEnergy (Group)).', refs(['BlackEnergy', 'https://a.example/1'], ['BlackEnergy (Group)', 'https://a.example/2'], ['Dragos 2017']));
    const html = renderMarkdown(md);
    expect(html).toContain('Seen in Ukraine (<a href="https://a.example/2"');
    expect(html).toContain('>BlackEnergy (Group)</a>; Dragos 2017).');
  });

  it('shows a source the object does not list by its name, and leaves what is not a citation alone', () => {
    expect(renderMarkdown(linkCitations('Text (Citation: CISA Alert (TA17-163A)).', refs(['Somebody', 'https://a.example/']))).trim()).toBe('<p>Text (CISA Alert (TA17-163A)).</p>');
    expect(linkCitations('Text (Citation: never closed.', refs(['Somebody']))).toBe('Text (Citation: never closed.');
    expect(linkCitations('Text (Citation: ) and (Citation: a\nb).', refs(['Somebody']))).toBe('Text (Citation: ) and (Citation: a\nb).');
    expect(linkCitations('No citations here.', undefined)).toBe('No citations here.');
  });

  it('never turns a hostile name or address into markup or a script link', () => {
    const md = linkCitations('See (Citation: <img src=x onerror=alert(1)>) and (Citation: *bold* [x](javascript:alert(1))).', [
      { source_name: '<img src=x onerror=alert(1)>', url: 'javascript:alert(1)' },
      { source_name: '*bold* [x](javascript:alert(1))', url: 'https://a.example/x> <b>y' },
    ]);
    const html = renderMarkdown(md);
    expect(html).not.toMatch(/<img|<b>|href="javascript|<strong|<em/);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('href="https://a.example/x%3E%20%3Cb%3Ey"');
    expect(html).toContain('>*bold* [x](javascript:alert(1))</a>');
  });

  it('resolves at most 2,000 citations of a description, and leaves the rest as written', () => {
    const refsMany = Array.from({ length: 5_000 }, (_, i) => ({ source_name: `Source (${i}`, url: `https://a.example/${i}` }));
    const text = Array.from({ length: 3_000 }, (_, i) => `Claim ${i}.(Citation: Source (${i % 900})`).join(' ');
    const md = linkCitations(text, refsMany);
    expect(md.split('(Citation: ').length - 1).toBe(1_000);
    expect(md).toContain('Claim 0. \\([Source \\(0](<https://a.example/0>)\\)');
    // Only the first 1,000 references are looked in: a name among the others is shown without its link.
    const plain = Array.from({ length: 1_500 }, (_, i) => ({ source_name: `Plain ${i}`, url: `https://a.example/${i}` }));
    expect(linkCitations('X (Citation: Plain 999)(Citation: Plain 1200)', plain)).toBe('X \\([Plain 999](<https://a.example/999>); Plain 1200\\)');
  });

  it('shows any source name as the text it is', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s.trim() === s && !/[\s)]/.test(s.slice(-1)) && !s.includes('\n')), (name) => {
        const html = renderMarkdown(linkCitations(`A (Citation: ${name})`, [{ source_name: name }]));
        const text = html.replace(/<[^>]*>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&amp;/g, '&').trim();
        expect(text).toBe(`A (${name.replace(/\s+/g, ' ')})`);
      }),
    );
  });

  it('resolves the citations of the ATT&CK bundles', () => {
    for (const file of ['ics-attack-18.1.json', 'mobile-attack-17.1.json']) {
      const bundle = JSON.parse(fs.readFileSync(new URL(file, DATA), 'utf8')) as { objects: Array<{ description?: string; external_references?: unknown }> };
      let cited = 0;
      let linked = 0;
      for (const o of bundle.objects) {
        if (typeof o.description !== 'string' || !o.description.includes('(Citation: ')) continue;
        cited += o.description.split('(Citation: ').length - 1;
        const md = linkCitations(o.description, o.external_references);
        expect(md).not.toContain('(Citation: ');
        linked += md.split('](<http').length - 1;
      }
      // Most sources give a web address (a run citing one source twice links it once).
      expect(cited).toBeGreaterThan(500);
      expect(linked / cited).toBeGreaterThan(0.8);
    }
  });
});
