// Runs the real `eoc start` (the built dist/) as a child process for a benchmark, and reads its peak memory.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface BenchServer {
  readonly url: string;
  readonly pid: number;
  /** Peak resident memory of the server process so far (VmHWM), in MiB. */
  peakMemoryMiB(): number;
  stop(): Promise<void>;
}

function readHwm(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmHWM:\s+(\d+) kB/.exec(status);
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

export function ownPeakMemoryMiB(): number {
  return readHwm(process.pid);
}

export async function startServer(options: { dataDir: string; databaseUrl?: string; port: number; env?: Record<string, string> }): Promise<BenchServer> {
  if (!fs.existsSync(path.join(root, 'dist', 'main.js'))) throw new Error('dist/main.js is missing: run `npm run build:server` first.');
  // EOC_BENCH_PROFILE=DIR writes a CPU profile of the server to DIR (open it in Chrome's DevTools).
  const profile = process.env.EOC_BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.EOC_BENCH_PROFILE}`] : [];
  const args = [...profile, path.join(root, 'bin', 'eoc.js'), 'start', '--port', String(options.port), '--host', '127.0.0.1', '--data-dir', options.dataDir];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: root,
    env: {
      ...process.env,
      LOG_LEVEL: 'warn',
      EOC_API_RATE_LIMIT: '0',
      EOC_ROLE: 'all',
      ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : { DATABASE_URL: '' }),
      ...options.env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}): ${stderr}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server did not become healthy: ${stderr}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, readHwm(child.pid!) || 0);
  }, 500);
  return {
    url,
    pid: child.pid!,
    peakMemoryMiB: () => Math.max(peak, readHwm(child.pid!) || 0),
    async stop() {
      clearInterval(sampler);
      peak = Math.max(peak, readHwm(child.pid!) || 0);
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
