// `eoc match`: the log matcher on the command line, for a machine that is not connected. No database: it reads
// indicator files (STIX bundles, CSV type,value lists) and a log file, and prints each match and a summary.
import fs from 'node:fs';
import type { Command } from 'commander';
import { loadIndicatorFiles } from '../intel/match/load-indicators.js';
import { LOG_FORMATS, scanFile, type LogFormat } from '../intel/match/log-scan.js';
import { choice } from './shared.js';

/** Buffers output so millions of matches do not mean millions of writes. */
function bufferedWriter() {
  let buf = '';
  return {
    write(s: string) {
      buf += s;
      if (buf.length > 1 << 16) {
        process.stdout.write(buf);
        buf = '';
      }
    },
    async flush() {
      if (buf) await new Promise<void>((resolve) => process.stdout.write(buf, () => resolve()));
      buf = '';
    },
  };
}

const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

export function registerMatch(program: Command): void {
  program
    .command('match')
    .description('Match a log file against indicators, offline: one line per match, then a summary')
    .requiredOption('--indicators <files...>', 'STIX 2.1 bundles (.json) or CSV lists with type,value columns')
    .requiredOption('--log <file>', 'the log file (web server access log, DNS query log, firewall or proxy CSV, syslog)')
    .option('--log-format <format>', `${LOG_FORMATS.join(', ')}`, choice(LOG_FORMATS, '--log-format'), 'auto')
    .option('--json', 'print JSON lines: one object per match, then {"summary": …}')
    .action(async (flags: { indicators: string[]; log: string; logFormat: LogFormat; json?: boolean }) => {
      const started = performance.now();
      if (!fs.existsSync(flags.log)) throw new Error(`${flags.log}: no such file`);
      const { index, report } = await loadIndicatorFiles(flags.indicators);
      const loaded = performance.now();
      const out = bufferedWriter();
      const stats = await scanFile(flags.log, index, flags.logFormat, (m) => {
        out.write(flags.json ? `${JSON.stringify({ line: m.line, indicator: m.indicator, value: m.matched, type: m.type, indicatorValue: m.value })}\n` : `line ${m.line}: ${m.matched} matches ${m.indicator} (${m.type} ${m.value})\n`);
      });
      const seconds = (performance.now() - started) / 1000;
      const scanSeconds = (performance.now() - loaded) / 1000;
      const summary = {
        lines: stats.lines,
        matchedLines: stats.matchedLines,
        matches: stats.matches,
        offFormatLines: stats.offFormat,
        binaryLines: stats.binary,
        bytes: stats.bytes,
        seconds: Math.round(seconds * 1000) / 1000,
        loadSeconds: Math.round((seconds - scanSeconds) * 1000) / 1000,
        scanSeconds: Math.round(scanSeconds * 1000) / 1000,
        linesPerSecond: Math.round(stats.lines / Math.max(scanSeconds, 1e-6)),
        indicators: { values: report.values, refused: report.refusedCount, notMatchable: index.skipped, firstRefused: report.refused.slice(0, 20) },
      };
      if (flags.json) out.write(`${JSON.stringify({ summary })}\n`);
      else {
        out.write(`${stats.lines.toLocaleString('en-US')} lines, ${stats.matchedLines.toLocaleString('en-US')} with a match (${stats.matches.toLocaleString('en-US')} matches) in ${summary.seconds} s; ${report.values.toLocaleString('en-US')} indicator values loaded`);
        out.write(`${report.refusedCount ? `, ${report.refusedCount} refused` : ''}${index.skipped ? `, ${index.skipped} not matchable line by line` : ''}${stats.offFormat ? `; ${plural(stats.offFormat, 'line')} not in the expected format (scanned anyway)` : ''}${stats.binary ? `; ${plural(stats.binary, 'binary line')} skipped` : ''}.\n`);
        for (const r of report.refused.slice(0, 20)) out.write(`  refused ${r.where}: ${r.message}\n`);
      }
      await out.flush();
    });
}
