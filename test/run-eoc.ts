// Runs the `eoc` command as a separate process, the way an operator does. In CI `npm install` has just built
// the shipped command (bin/eoc.js → dist/); elsewhere the sources run through tsx.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const entry = process.env.CI === 'true' && fs.existsSync(path.join(projectRoot, 'dist/main.js')) ? [path.join(projectRoot, 'bin/eoc.js')] : ['--import', 'tsx', path.join(projectRoot, 'test/cli-entry.ts')];

export interface EocRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function runEoc(args: readonly string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<EocRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...entry, ...args], { cwd: projectRoot, env: options.env ?? { ...process.env, LOG_LEVEL: 'silent' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/**
 * Runs `eoc … | head -c BYTES` in bash, as an operator glancing at the start of a long output does: answers
 * what head printed, what `eoc` wrote to its error output, and its exit code.
 */
export function runEocIntoHead(args: readonly string[], bytes: number, options: { env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number; read: string; stderr: string }> {
  const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
  const command = `${[process.execPath, ...entry, ...args].map(quote).join(' ')} 2>"$EOC_STDERR" | head -c ${bytes}; exit "\${PIPESTATUS[0]}"`;
  const errors = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'eoc-pipe-')), 'stderr');
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', command], { cwd: projectRoot, env: { ...(options.env ?? { ...process.env, LOG_LEVEL: 'silent' }), EOC_STDERR: errors }, stdio: ['ignore', 'pipe', 'inherit'] });
    let read = '';
    child.stdout.on('data', (d: Buffer) => (read += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const stderr = fs.existsSync(errors) ? fs.readFileSync(errors, 'utf8') : '';
      fs.rmSync(path.dirname(errors), { recursive: true, force: true });
      resolve({ code: code ?? -1, read, stderr });
    });
  });
}
