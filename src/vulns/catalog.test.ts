// Product-version matching against real CVE records (CISA's vulnrichment) and the KEV catalog: ranges with
// lessThan and lessThanOrEqual, hotfix suffixes (10.2.9-h1), "changes", free-text versions ("FortiOS 6.0.0 to
// 6.0.4, 5.6.3 to 5.6.7"), build numbers written as patches (NetScaler 13.1 before 51.15), and vendors'
// names written differently ("Palo Alto Networks", "paloaltonetworks").
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sharedData } from '../../test/shared-data.js';
import { assess, namesMatch, parseCveRecord, parseKevCatalog, type VulnRecord } from './catalog.js';
import { compareVersions, freeTextRanges, itemStatus } from './versions.js';

const record = (id: string): VulnRecord => parseCveRecord(JSON.parse(fs.readFileSync(sharedData('vulnrichment', `${id}.json`), 'utf8')));
const status = (id: string, vendor: string, product: string, version: string | null) => assess({ vendor, product, version }, record(id))?.status ?? null;

describe('versions', () => {
  it('orders versions as vendors write them', () => {
    const ordered = ['1.0.0-alpha', '1.0.0-rc1', '1.0.0', '1.0.1', '1.2', '1.10', '9.1R2', '9.1R18', '10.2.9', '10.2.9-h1', '10.2.10', '2021.0.6'];
    for (let i = 1; i < ordered.length; i += 1) expect(compareVersions(ordered[i - 1]!, ordered[i]!), `${ordered[i - 1]} < ${ordered[i]}`).toBeLessThan(0);
    expect(compareVersions('7.2.0', '7.2')).toBeGreaterThan(0);
    expect(compareVersions('15.02.0', '15.2.0')).toBe(0);
    fc.assert(fc.property(fc.array(fc.nat(50), { minLength: 1, maxLength: 4 }), fc.array(fc.nat(50), { minLength: 1, maxLength: 4 }), (a, b) => {
      const x = a.join('.');
      const y = b.join('.');
      return Math.sign(compareVersions(x, y)) === -Math.sign(compareVersions(y, x));
    }));
  });

  it('reads free-text ranges with the products they name', () => {
    expect(freeTextRanges('FortiOS 6.0.0 to 6.0.4, 5.6.3 to 5.6.7 and 5.4.6 to 5.4.12, FortiProxy 2.0.0, 1.2.0 to 1.2.8')).toEqual([
      { product: 'FortiOS', range: '6.0.0 to 6.0.4' }, { product: 'FortiOS', range: '5.6.3 to 5.6.7' }, { product: 'FortiOS', range: '5.4.6 to 5.4.12' },
      { product: 'FortiProxy', range: '2.0.0' }, { product: 'FortiProxy', range: '1.2.0 to 1.2.8' },
    ]);
    expect(itemStatus('8.2.1', { version: '>= 8.0.0', status: 'affected' })).toBe('affected');
    expect(itemStatus('7.9', { version: '>= 8.0.0', status: 'affected' })).toBe('outside');
    expect(itemStatus('9.17.5', { version: '9.18.0 and below', status: 'affected' })).toBe('affected');
    expect(itemStatus('2.1.7', { version: '2.1 All', status: 'unaffected' })).toBe('unaffected');
    expect(itemStatus('3.0.1', { version: 'n/a', status: 'affected' })).toBeNull();
    expect(itemStatus('10.2.8', { version: '10.2.0', lessThan: '10.2.9-h1', status: 'affected', changes: [{ at: '10.2.9-h1', status: 'unaffected' }] })).toBe('affected');
    expect(itemStatus('10.2.9-h1', { version: '10.2.0', lessThan: '10.2.9-h1', status: 'affected' })).toBe('outside');
    expect(itemStatus('13.1-51.14', { version: '13.1', lessThan: '51.15', versionType: 'patch', status: 'affected' })).toBe('affected');
    expect(itemStatus('13.1-51.15', { version: '13.1', lessThan: '51.15', versionType: 'patch', status: 'affected' })).toBe('outside');
  });
});

describe('CVE records and the KEV catalog', () => {
  it('tells affected from fixed versions in real records', () => {
    expect(status('CVE-2024-3400', 'Palo Alto Networks', 'PAN-OS', '10.2.8')).toBe('affected');
    expect(status('CVE-2024-3400', 'Palo Alto', 'PAN-OS', '10.2.9-h1')).toBe('unaffected');
    expect(status('CVE-2024-3400', 'Palo Alto Networks', 'PAN-OS', '9.1.17')).toBe('unaffected');
    expect(status('CVE-2024-3400', 'Palo Alto Networks', 'PAN-OS', null)).toBe('unknown');
    expect(status('CVE-2018-13379', 'Fortinet', 'FortiOS', '6.0.3')).toBe('affected'); // free text
    expect(status('CVE-2018-13379', 'Fortinet', 'FortiOS', '6.0.5')).toBe('unaffected');
    expect(status('CVE-2018-13379', 'Fortinet', 'FortiProxy', '1.2.4')).toBe('affected');
    expect(status('CVE-2022-42475', 'Fortinet, Inc.', 'FortiOS', '7.2.2')).toBe('affected'); // lessThanOrEqual
    expect(status('CVE-2022-42475', 'Fortinet', 'FortiOS', '7.2.3')).toBe('unaffected');
    expect(status('CVE-2023-6548', 'Cloud Software Group', 'NetScaler ADC', '13.1-51.14')).toBe('affected');
    expect(status('CVE-2023-6548', 'Cloud Software Group', 'NetScaler ADC', '13.1-51.15')).toBe('unaffected');
    expect(status('CVE-2023-43770', 'Roundcube', 'Webmail', '1.6.2')).toBe('affected'); // only the enrichment names it
    expect(status('CVE-2023-43770', 'Roundcube', 'Webmail', '1.6.3')).toBe('unaffected');
    expect(status('CVE-2023-34362', 'Progress', 'MOVEit Transfer', '2021.0.6')).toBe('affected');
    expect(status('CVE-2024-3400', 'Fortinet', 'FortiOS', '7.2.4')).toBeNull(); // another product
    expect(namesMatch('Palo Alto Networks', 'paloaltonetworks')).toBe(true);
    expect(namesMatch('OS', 'FortiOS')).toBe(false);
  });

  it('reads every entry of the KEV catalog, and names a product without versions', () => {
    const kev = parseKevCatalog(JSON.parse(fs.readFileSync(sharedData('kev', 'known_exploited_vulnerabilities.json'), 'utf8')));
    expect(kev.version).toBe('2025.08.25');
    expect(kev.records).toHaveLength(1404);
    expect(kev.refused).toEqual([]);
    const entry = kev.records.find((r) => r.cveId === 'CVE-2024-3400')!;
    expect(entry.kev).toMatchObject({ dateAdded: '2024-04-12', requiredAction: expect.any(String) });
    expect(assess({ vendor: 'Palo Alto Networks', product: 'PAN-OS', version: '10.2.8' }, entry)?.status).toBe('unknown');
    expect(() => parseKevCatalog({ nothing: true })).toThrow(/KEV/);
    expect(() => parseCveRecord({ dataType: 'CVE_RECORD', cveMetadata: { cveId: 'CVE-24-1' } })).toThrow(/CVE record/);
  });
});
