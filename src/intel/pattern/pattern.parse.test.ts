// The STIX pattern parser against the examples of the STIX 2.1 specification (section 9.9 and the patterns
// of its indicator examples), its error messages, and a round-trip property over generated patterns.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Comparison, Literal, ObjectPath, Observation, PathStep } from './ast.js';
import { parsePattern } from './parse.js';
import { formatPattern } from './format.js';

const SPEC_EXAMPLES = [
  "[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
  "[email-message:from_ref.value MATCHES '.+\\\\@example\\\\.com$' AND email-message:body_multipart[*].body_raw_ref.name MATCHES '^Final Report.+\\\\.exe$']",
  "[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f' AND file:mime_type = 'application/x-pdf']",
  "[file:hashes.'SHA-256' = 'bf07a7fbb825fc0aae7bf4a1177b2b31fcf8a3feeaf7092761e18c859ee52a9c' OR file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f'] AND [file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
  "[file:hashes.MD5 = '79054025255fb1a26e4bc422aef54eb4'] FOLLOWEDBY [windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\\\foo\\\\bar'] WITHIN 5 SECONDS",
  "[user-account:account_type = 'unix' AND user-account:user_id = '1007' AND user-account:account_login = 'Peter'] AND [user-account:account_type = 'unix' AND user-account:user_id = '1008' AND user-account:account_login = 'Paul'] AND [user-account:account_type = 'unix' AND user-account:user_id = '1009' AND user-account:account_login = 'Mary']",
  "[artifact:mime_type = 'application/vnd.tcpdump.pcap' AND artifact:payload_bin MATCHES '\\\\xd4\\\\xc3\\\\xb2\\\\xa1\\\\x02\\\\x00\\\\x04\\\\x00']",
  "[file:name = 'foo.dll' AND file:parent_directory_ref.path = 'C:\\\\Windows\\\\System32']",
  "[file:extensions.'windows-pebinary-ext'.sections[*].entropy > 7.0]",
  "[file:mime_type = 'image/bmp' AND file:magic_number_hex = h'ffd8']",
  "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '203.0.113.33/32']",
  "[network-traffic:dst_ref.type = 'domain-name' AND network-traffic:dst_ref.value = 'example.com'] REPEATS 5 TIMES WITHIN 180 SECONDS",
  "[domain-name:value = 'www.5z8.info' AND domain-name:resolves_to_refs[*].value = '198.51.100.1/32']",
  "[url:value = 'http://example.com/foo' OR url:value = 'http://example.com/bar']",
  "[x509-certificate:issuer = 'CN=WEBMAIL' AND x509-certificate:serial_number = '4c:0b:1d:19:74:86:a7:66:b4:1a:bf:40:27:21:76:28']",
  "[windows-registry-key:key = 'HKEY_CURRENT_USER\\\\Software\\\\CryptoLocker\\\\Files' OR windows-registry-key:key = 'HKEY_CURRENT_USER\\\\Software\\\\Microsoft\\\\CurrentVersion\\\\Run\\\\CryptoLocker_0388']",
  "[(file:name = 'pdf.exe' OR file:size = '371712') AND file:created = t'2014-01-13T07:03:17Z']",
  "[email-message:sender_ref.value = 'jdoe@example.com' AND email-message:subject = 'Conference Info']",
  "[x-usb-device:usbdrive.serial_number = '575833544D5033304C31323535303537']",
  "[process:command_line MATCHES '^.+>-add GlobalSign.cer -c -s -r localMachine Root$'] FOLLOWEDBY [process:command_line MATCHES '^.+>-add GlobalSign.cer -c -s -r localMachineTrustedPublisher$'] WITHIN 300 SECONDS",
  "[network-traffic:dst_ref.value ISSUBSET '2001:0db8:dead:beef:0000:0000:0000:0000/64']",
  "([file:name = 'foo.dll'] AND [win-registry-key:key = 'HKEY_LOCAL_MACHINE\\\\foo\\\\bar']) OR [process:name = 'fooproc' OR process:name = 'procfoo']",
  "[file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f'] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'",
  "[ipv4-addr:value = '198.51.100.1/32' OR ipv4-addr:value = '203.0.113.33/32' OR ipv6-addr:value = '2001:0db8:dead:beef:dead:beef:dead:0001/128']",
  "[network-traffic:src_port IN (80, 443, 8080) AND NOT network-traffic:dst_port = 22]".replace('AND NOT network-traffic:dst_port = 22', 'AND network-traffic:dst_port NOT = 22'),
  "[file:name LIKE 'ballot%.exe' AND EXISTS file:hashes.'SHA-256']",
  "[artifact:payload_bin = b'dGVzdA==' AND file:size >= -1]",
];

describe('STIX pattern parser', () => {
  it.each(SPEC_EXAMPLES)('parses %s', (src) => {
    const r = parsePattern(src);
    expect(r.ok ? 'ok' : r.error.message).toBe('ok');
  });

  it('gives AND precedence over OR over FOLLOWEDBY, in observations as in comparisons', () => {
    const r = parsePattern("[a:x = 1] FOLLOWEDBY [a:x = 2] OR [a:x = 3] AND [a:x = 4]");
    if (!r.ok) throw new Error(r.error.message);
    expect(r.pattern.kind).toBe('followedby');
    const right = (r.pattern as { right: Observation }).right;
    expect(right.kind).toBe('or');
    expect((right as { right: Observation }).right.kind).toBe('and');
    const c = parsePattern("[a:x = 1 OR a:x = 2 AND a:y = 3]");
    if (!c.ok) throw new Error(c.error.message);
    expect(c.pattern.kind === 'observation' && c.pattern.comparison.kind).toBe('or');
  });

  it('decodes escapes and typed literals', () => {
    const r = parsePattern("[file:name = 'it\\'s \\\\ here' AND file:magic_number_hex = h'ffD8' AND artifact:payload_bin = b'AAE=' AND file:ctime < t'2026-11-03T08:00:00.123Z']");
    if (!r.ok) throw new Error(r.error.message);
    // Four terms joined by AND: two pairs (AND is associative; a long list is kept shallow).
    expect(formatPattern(r.pattern)).toBe("[((file:name = 'it\\'s \\\\ here' AND file:magic_number_hex = h'ffd8') AND (artifact:payload_bin = b'AAE=' AND file:ctime < t'2026-11-03T08:00:00.123Z'))]");
  });

  const ERRORS: [string, string, number][] = [
    ['', 'the pattern is empty', 0],
    ["file:name = 'x'", 'expected an observation in square brackets', 0],
    ["[file:name = 'x'", 'expected "]" to close the observation opened at character 1', 16],
    ["[file:name 'x']", 'expected a comparison operator', 11],
    ["[file:name = 'x]", 'a string is not closed', 13],
    ["[file:name = 'x'] [file:name = 'y']", 'unexpected "["', 18],
    ["[file:name = 'x'] AND", 'expected an observation', 21],
    ["[file:hashes.SHA-256 = 'x']", 'property names with hyphens must be quoted', 13],
    ["[file:name = 'x'] WITHIN 0 SECONDS", 'WITHIN needs a positive number', 25],
    ["[file:name = 'x'] REPEATS 2.5 TIMES", 'REPEATS needs a positive whole number', 26],
    ["[file:ctime = t'2026-13-01T00:00:00Z']", 'is not a UTC timestamp', 14],
    ["[file:name = 'a\\x']", 'only \\\\ and \\\' are escapes', 15],
    ["[file:size > true]", 'cannot compare with true or false', 11],
    ["[file:name MATCHES '(']", 'regular expression after MATCHES is not valid', 11],
    ["[file:name IN 'x']", 'expected "(" to open the set after IN', 14],
    ["[File:name = 'x']", '"File" is not an object type', 1],
    ["[file:name = 'x'] START t'2026-01-02T00:00:00Z' STOP t'2026-01-01T00:00:00Z'", 'STOP must be later than START', 53],
    ["[file:name = 'x' ; ]", 'unexpected character ";"', 17],
    ["[]", 'must hold at least one comparison', 1],
    ["[file:size = 007]", 'leading zeros', 13],
  ];
  it.each(ERRORS)('refuses %j with a message saying what is wrong', (src, message, offset) => {
    const r = parsePattern(src);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.message).toContain(message);
    expect(r.error.offset).toBe(offset);
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'[]():.,*\'=<>!abcfile-_ ANDORNTWIHS0123456789tbh\\%'.split('')), maxLength: 80 }), (s) => {
        const r = parsePattern(s);
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 3000 },
    );
  });

  // Generated trees print and parse back to the same tree.
  const ident = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/);
  const literal: fc.Arbitrary<Literal> = fc.oneof(
    fc.string({ maxLength: 12 }).map((value) => ({ kind: 'string' as const, value })),
    fc.integer({ min: -1_000_000, max: 1_000_000 }).map((value) => ({ kind: 'int' as const, value })),
    fc.integer({ min: -100_000, max: 100_000 }).map((n) => ({ kind: 'float' as const, value: n / 8 + 0.125 })),
    fc.boolean().map((value) => ({ kind: 'bool' as const, value })),
    fc.uint8Array({ maxLength: 8 }).map((value) => ({ kind: 'hex' as const, value })),
    fc.uint8Array({ maxLength: 8 }).map((value) => ({ kind: 'binary' as const, value })),
    fc.date({ min: new Date('1990-01-01'), max: new Date('2090-01-01'), noInvalidDate: true }).map((d) => ({ kind: 'timestamp' as const, value: d.toISOString() })),
  );
  const step: fc.Arbitrary<PathStep> = fc.oneof(
    fc.oneof(ident, fc.string({ minLength: 1, maxLength: 8 })).map((name) => ({ kind: 'prop' as const, name })),
    fc.integer({ min: -3, max: 9 }).map((index) => ({ kind: 'index' as const, index })),
    fc.constant({ kind: 'any' as const }),
  );
  const path: fc.Arbitrary<ObjectPath> = fc
    .tuple(fc.stringMatching(/^[a-z][a-z0-9]{0,5}(-[a-z0-9]{1,5}){0,2}$/), fc.oneof(ident, fc.string({ minLength: 1, maxLength: 6 })), fc.array(step, { maxLength: 3 }))
    .map(([objectType, first, rest]) => ({ objectType, steps: [{ kind: 'prop' as const, name: first }, ...rest] }));
  const test: fc.Arbitrary<Comparison> = fc.oneof(
    fc.record({ path, negated: fc.boolean(), op: fc.constantFrom('=' as const, '!=' as const), value: literal }).map((t) => ({ kind: 'test' as const, ...t })),
    fc.record({ path, negated: fc.boolean(), op: fc.constantFrom('LIKE' as const, 'ISSUBSET' as const, 'ISSUPERSET' as const), value: fc.string({ maxLength: 8 }).map((value) => ({ kind: 'string' as const, value })) }).map((t) => ({ kind: 'test' as const, ...t })),
    fc.record({ path, negated: fc.boolean(), op: fc.constant('IN' as const), value: fc.array(literal, { maxLength: 3 }) }).map((t) => ({ kind: 'test' as const, ...t })),
    path.map((p) => ({ kind: 'exists' as const, path: p })),
  );
  const comparison = fc.letrec<{ c: Comparison }>((tie) => ({
    c: fc.oneof({ depthSize: 'small', withCrossShrink: true }, test, fc.record({ kind: fc.constantFrom('and' as const, 'or' as const), left: tie('c'), right: tie('c') })),
  })).c;
  const observation = fc.letrec<{ o: Observation }>((tie) => ({
    o: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      comparison.map((c) => ({ kind: 'observation' as const, comparison: c })),
      fc.record({ kind: fc.constantFrom('and' as const, 'or' as const, 'followedby' as const), left: tie('o'), right: tie('o') }),
      fc.record({ inner: tie('o'), qualifier: fc.oneof(fc.integer({ min: 1, max: 9999 }).map((seconds) => ({ kind: 'within' as const, seconds })), fc.integer({ min: 1, max: 99 }).map((times) => ({ kind: 'repeats' as const, times }))) }).map((q) => ({ kind: 'qualified' as const, ...q })),
    ),
  })).o;

  it('prints and re-parses any pattern tree to the same tree', () => {
    fc.assert(
      fc.property(observation, (tree) => {
        const text = formatPattern(tree);
        const r = parsePattern(text);
        if (!r.ok) throw new Error(`${text}: ${r.error.message}`);
        expect(formatPattern(r.pattern)).toBe(text);
      }),
      { numRuns: 500 },
    );
  });
});
