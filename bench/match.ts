// Log-matching benchmark: a generated feed of indicators (IPv4 and IPv6 addresses, networks, domains, URLs,
// file hashes) against a generated combined-format access log, matched by `eoc match` (the shipped command,
// one process) and, in the same run, by GNU grep -F -f over the same exact values (which cannot do networks or
// subdomains, and matches substrings). Lines per second and peak memory of each.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { root } from './server.js';

export interface MatchSize {
  readonly indicators: number;
  readonly lines: number;
}
export const MATCH_FULL: MatchSize = { indicators: 1_000_000, lines: 2_000_000 };
export const MATCH_QUICK: MatchSize = { indicators: 100_000, lines: 200_000 };

/** A small deterministic generator, so every run matches the same data. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (r: () => number, n: number) => Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(r() * 16)]).join('');
const ip4 = (r: () => number) => `${11 + Math.floor(r() * 200)}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}`;
const word = (r: () => number) => hex(r, 6 + Math.floor(r() * 6)).replace(/[0-9]/g, (d) => 'ghijklmnop'[Number(d)]!);

export interface MatchData {
  readonly dir: string;
  readonly indicatorsCsv: string;
  readonly valuesTxt: string;
  readonly log: string;
  readonly logBytes: number;
  readonly lines: number;
}

/** Writes (once, cached in .bench-data/match-N) the indicator list, the exact values for grep, and the log. */
export async function ensureMatchData(size: MatchSize, progress: (line: string) => void): Promise<MatchData> {
  const dir = path.join(root, '.bench-data', `match-${size.indicators}-${size.lines}`);
  const data = { dir, indicatorsCsv: path.join(dir, 'indicators.csv'), valuesTxt: path.join(dir, 'values.txt'), log: path.join(dir, 'access.log') };
  if (fs.existsSync(path.join(dir, 'done'))) return { ...data, logBytes: fs.statSync(data.log).size, lines: size.lines };
  fs.mkdirSync(dir, { recursive: true });
  const r = rng(2026);
  const ips: string[] = [];
  const domains: string[] = [];
  const urls: string[] = [];
  const csv = fs.createWriteStream(data.indicatorsCsv);
  const values = fs.createWriteStream(data.valuesTxt);
  const write = (stream: fs.WriteStream, s: string) => (stream.write(s) ? Promise.resolve() : new Promise<void>((resolve) => stream.once('drain', resolve)));
  await write(csv, 'type,value\n');
  progress(`writing ${size.indicators.toLocaleString('en-US')} indicators`);
  for (let i = 0; i < size.indicators; i += 1) {
    const k = i % 20;
    let type: string;
    let value: string;
    if (k < 7) {
      type = 'ipv4';
      value = ip4(r);
      if (ips.length < 50_000) ips.push(value);
    } else if (k < 8) {
      type = 'ipv4';
      value = `${ip4(r).split('.').slice(0, 3).join('.')}.0/24`;
    } else if (k < 9) {
      type = 'ipv6';
      value = `2001:db8:${hex(r, 4)}:${hex(r, 4)}::${hex(r, 4)}`;
    } else if (k < 14) {
      type = 'domain';
      value = `${word(r)}-${word(r)}.example`;
      if (domains.length < 50_000) domains.push(value);
    } else if (k < 17) {
      type = 'url';
      value = `https://${word(r)}.example/${word(r)}/${word(r)}.php`;
      if (urls.length < 50_000) urls.push(value);
    } else {
      type = 'sha256';
      value = hex(r, 64);
    }
    await write(csv, `${type},${value}\n`);
    if (!value.includes('/') || type === 'url') await write(values, `${value}\n`);
  }
  await new Promise<void>((resolve) => csv.end(resolve));
  await new Promise<void>((resolve) => values.end(resolve));
  progress(`writing ${size.lines.toLocaleString('en-US')} log lines`);
  const log = fs.createWriteStream(data.log);
  const agents = ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1'];
  const pages = ['/results/2026-general/county-13121.html', '/api/results/summary.json', '/voter/lookup?zip=30303', '/static/app.4f3a9c.js', '/images/seal.png'];
  let chunk = '';
  for (let i = 0; i < size.lines; i += 1) {
    const x = r();
    // About 1 % of lines come from a listed address, 0.5 % refer from a listed domain's subdomain, 0.2 % from a listed URL.
    const client = x < 0.01 ? ips[Math.floor(r() * ips.length)]! : ip4(r);
    const referer = x > 0.995 ? `https://www.${domains[Math.floor(r() * domains.length)]}/` : x > 0.993 ? urls[Math.floor(r() * urls.length)]! : r() < 0.5 ? 'https://results.sos.example.gov/' : '-';
    chunk += `${client} - - [03/Nov/2026:20:${String(Math.floor(i / 60000) % 60).padStart(2, '0')}:${String(Math.floor(i / 1000) % 60).padStart(2, '0')} -0500] "GET ${pages[i % pages.length]} HTTP/1.1" 200 ${1000 + Math.floor(r() * 90000)} "${referer}" "${agents[i % 2]}"\n`;
    if (chunk.length > 1 << 20) {
      await write(log, chunk);
      chunk = '';
    }
  }
  await write(log, chunk);
  await new Promise<void>((resolve) => log.end(resolve));
  fs.writeFileSync(path.join(dir, 'done'), new Date().toISOString());
  return { ...data, logBytes: fs.statSync(data.log).size, lines: size.lines };
}

export interface RunResult {
  readonly seconds: number;
  readonly peakMiB: number;
  readonly stdoutLines: number;
  readonly summary?: Record<string, unknown>;
}

/** Runs a command under /usr/bin/time to read its peak memory; counts (and keeps the last of) its output lines. */
export function timed(cmd: string, args: readonly string[]): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('/usr/bin/time', ['-f', 'MAXRSS %M', cmd, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: 'silent' } });
    let lines = 0;
    let tail = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      const s = tail + d.toString('latin1');
      const parts = s.split('\n');
      tail = parts.pop() ?? '';
      lines += parts.length;
      if (parts.length) lastLine = parts[parts.length - 1]!;
    });
    let lastLine = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      const m = /MAXRSS (\d+)/.exec(stderr);
      if (code !== 0 && code !== 1) return reject(new Error(`${cmd} exited ${code}: ${stderr.slice(-500)}`));
      let summary: Record<string, unknown> | undefined;
      try {
        summary = (JSON.parse(lastLine) as { summary?: Record<string, unknown> }).summary;
      } catch {
        summary = undefined;
      }
      resolve({ seconds, peakMiB: m ? Number(m[1]) / 1024 : NaN, stdoutLines: lines, ...(summary ? { summary } : {}) });
    });
  });
}

export async function runMatch(data: MatchData) {
  // One core each: taskset pins the process, as the target is "on one core".
  const eoc = await timed('taskset', ['-c', '0', process.execPath, path.join(root, 'bin', 'eoc.js'), 'match', '--indicators', data.indicatorsCsv, '--log', data.log, '--log-format', 'combined', '--json']);
  const grep = await timed('taskset', ['-c', '0', 'grep', '-F', '-c', '-f', data.valuesTxt, data.log]);
  return { eoc, grep };
}
