// Runs the `eoc` command as a separate process, the way an operator does. In CI `npm install` has just built
// the shipped command (bin/eoc.js → dist/); elsewhere the sources run through tsx.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
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
