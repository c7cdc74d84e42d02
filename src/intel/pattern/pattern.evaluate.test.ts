// The pattern evaluator on observed data: comparisons on one object, references, sets, LIKE/MATCHES,
// CIDR subsets, and the observation operators and qualifiers (STIX 2.1 section 9.6).
import { describe, expect, it } from 'vitest';
import { parsePattern } from './parse.js';
import { formatPattern } from './format.js';
import { cidrSubset, evaluatePattern, type ObservedData } from './evaluate.js';

function matches(pattern: string, data: readonly ObservedData[]): boolean {
  const r = parsePattern(pattern);
  if (!r.ok) throw new Error(r.error.message);
  return evaluatePattern(r.pattern, data).matched;
}

const at = (iso: string, objects: ObservedData['objects']): ObservedData => ({ firstObserved: iso, lastObserved: iso, objects });

const phish = at('2026-11-03T08:00:00Z', {
  '0': { type: 'email-addr', value: 'clerk@county.example.gov' },
  '1': { type: 'email-message', is_multipart: false, from_ref: '0', subject: 'Ballot delivery update' },
});
const beacon = at('2026-11-03T08:00:04Z', {
  '0': { type: 'ipv4-addr', value: '198.51.100.7' },
  '1': { type: 'network-traffic', dst_ref: '0', dst_port: 443, protocols: ['tcp', 'tls'] },
});
const dropper = at('2026-11-03T08:10:00Z', {
  '0': { type: 'file', name: 'ballot-viewer.exe', hashes: { 'SHA-256': 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f' }, size: 371712 },
});

describe('STIX pattern evaluation', () => {
  it('follows _ref properties and quoted property names', () => {
    expect(matches("[email-message:from_ref.value MATCHES '@county\\\\.example\\\\.gov$']", [phish])).toBe(true);
    expect(matches("[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']", [dropper])).toBe(true);
    expect(matches("[file:hashes.'SHA-256' = 'bad']", [dropper])).toBe(false);
  });

  it('treats CIDR, sets, LIKE, NOT, EXISTS and list indexes as the specification says', () => {
    expect(matches("[ipv4-addr:value ISSUBSET '198.51.100.0/24']", [beacon])).toBe(true);
    expect(matches("[ipv4-addr:value ISSUBSET '203.0.113.0/24']", [beacon])).toBe(false);
    expect(matches("[network-traffic:dst_port IN (80, 443)]", [beacon])).toBe(true);
    expect(matches("[network-traffic:protocols[*] = 'tls']", [beacon])).toBe(true);
    expect(matches("[network-traffic:protocols[0] = 'tls']", [beacon])).toBe(false);
    expect(matches("[network-traffic:dst_port NOT = 443]", [beacon])).toBe(false);
    expect(matches("[file:name LIKE 'ballot%.exe' AND file:size > 100000]", [dropper])).toBe(true);
    expect(matches("[file:name LIKE 'ballot_.exe']", [dropper])).toBe(false);
    expect(matches("[EXISTS file:hashes.MD5]", [dropper])).toBe(false);
  });

  it('needs comparisons on one type joined by AND to hold for the same object', () => {
    const two = at('2026-11-03T08:00:00Z', { a: { type: 'file', name: 'a.exe', size: 1 }, b: { type: 'file', name: 'b.exe', size: 2 } });
    expect(matches("[file:name = 'a.exe' AND file:size = 2]", [two])).toBe(false);
    expect(matches("[file:name = 'a.exe' AND file:size = 1]", [two])).toBe(true);
  });

  it('joins observations with AND, OR and FOLLOWEDBY, and applies WITHIN, REPEATS and START/STOP', () => {
    const data = [phish, beacon, dropper];
    expect(matches("[email-addr:value = 'clerk@county.example.gov'] FOLLOWEDBY [ipv4-addr:value = '198.51.100.7']", data)).toBe(true);
    expect(matches("[ipv4-addr:value = '198.51.100.7'] FOLLOWEDBY [email-addr:value = 'clerk@county.example.gov']", data)).toBe(false);
    expect(matches("([email-addr:value = 'clerk@county.example.gov'] FOLLOWEDBY [ipv4-addr:value = '198.51.100.7']) WITHIN 5 SECONDS", data)).toBe(true);
    expect(matches("([email-addr:value = 'clerk@county.example.gov'] FOLLOWEDBY [file:size > 0]) WITHIN 60 SECONDS", data)).toBe(false);
    expect(matches("[file:size > 0] AND [ipv4-addr:value = '1.2.3.4']", data)).toBe(false);
    expect(matches("[file:size > 0] OR [ipv4-addr:value = '1.2.3.4']", data)).toBe(true);
    expect(matches("[ipv4-addr:value = '198.51.100.7'] REPEATS 2 TIMES", data)).toBe(false);
    expect(matches("[ipv4-addr:value = '198.51.100.7'] REPEATS 2 TIMES", [...data, { ...beacon, firstObserved: '2026-11-03T09:00:00Z', lastObserved: '2026-11-03T09:00:00Z' }])).toBe(true);
    expect(matches("[file:size > 0] START t'2026-11-03T08:00:00Z' STOP t'2026-11-03T08:05:00Z'", data)).toBe(false);
    expect(matches("[file:size > 0] START t'2026-11-03T08:00:00Z' STOP t'2026-11-03T09:00:00Z'", data)).toBe(true);
  });

  it('evaluates a list of thousands of values joined by OR or AND, and refuses patterns of more than 100 observations or qualifiers', () => {
    // The tree of a long list stays shallow: evaluated, and printed, without running out of stack.
    const values = [...Array.from({ length: 6_500 }, (_, i) => `file:x = ${i % 10}`), 'file:size = 371712'];
    expect(matches(`[${values.join(' OR ')}]`, [dropper])).toBe(true);
    expect(matches(`[${values.join(' OR ')}]`, [phish])).toBe(false);
    expect(matches(`[${values.slice(0, 5_000).map(() => 'file:size > 9').join(' AND ')}]`, [dropper])).toBe(true);
    const wide = parsePattern(`[${values.join(' OR ')}]`);
    expect(wide.ok && formatPattern(wide.pattern).length).toBeGreaterThan(90_000);
    // Observation expressions and qualifiers are steps that each join what came before: a hundred at most.
    const observations = (n: number) => Array.from({ length: n }, () => "[ipv4-addr:value = '198.51.100.7']").join(' AND ');
    expect(matches(observations(100), [beacon])).toBe(true);
    expect(parsePattern(observations(101))).toMatchObject({ ok: false, error: { message: expect.stringMatching(/at most 100 observations/) } });
    expect(parsePattern(`[ipv4-addr:value = '198.51.100.7']${' WITHIN 5 SECONDS'.repeat(101)}`)).toMatchObject({ ok: false, error: { message: expect.stringMatching(/at most 100 qualifiers/) } });
  });

  it('compares IPv4 and IPv6 networks', () => {
    expect(cidrSubset('2001:db8:dead:beef::1', '2001:0db8:dead:beef:0000:0000:0000:0000/64')).toBe(true);
    expect(cidrSubset('2001:db8:dead:bee0::1', '2001:db8:dead:beef::/64')).toBe(false);
    expect(cidrSubset('10.1.0.0/16', '10.0.0.0/8')).toBe(true);
    expect(cidrSubset('10.0.0.0/8', '10.1.0.0/16')).toBe(false);
    expect(cidrSubset('::ffff:10.0.0.1', '::ffff:10.0.0.0/120')).toBe(true);
    expect(cidrSubset('10.0.0.1', 'not-an-ip')).toBe(false);
  });
});
