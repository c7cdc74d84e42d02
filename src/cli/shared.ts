// What every `eoc` command shares: database flags, a one-shot context, output and argument parsing.
import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { loadConfig, type ConfigOverrides } from '../config.js';
import { createContext } from '../app.js';
import type { AppContext } from '../platform/context.js';

export interface DbFlags {
  dataDir?: string;
  databaseUrl?: string;
}

export function dbOptions(cmd: Command): Command {
  return cmd
    .option('--data-dir <dir>', 'embedded database directory (EOC_DATA_DIR, default ./data)')
    .option('--database-url <url>', 'PostgreSQL URL (DATABASE_URL); overrides --data-dir');
}

/** Database flags of any command; `users create --role` is a user's role, not the node's. */
export function overridesOf(flags: DbFlags): ConfigOverrides {
  return {
    ...(flags.dataDir ? { dataDir: flags.dataDir } : {}),
    ...(flags.databaseUrl ? { databaseUrl: flags.databaseUrl } : {}),
  };
}

export function startOverridesOf(flags: DbFlags & ConfigOverrides): ConfigOverrides {
  return {
    ...overridesOf(flags),
    ...(flags.port !== undefined ? { port: flags.port } : {}),
    ...(flags.host ? { host: flags.host } : {}),
    ...(flags.role ? { role: flags.role } : {}),
  };
}

/** Runs a one-shot command against the database; the log is quiet so --json output stays clean. */
export async function withContext<T>(flags: DbFlags, fn: (ctx: AppContext) => Promise<T>): Promise<T> {
  const config = loadConfig({ ...overridesOf(flags), logLevel: process.env.LOG_LEVEL ?? 'warn' });
  const ctx = await createContext(config);
  try {
    return await fn(ctx);
  } finally {
    await ctx.relay.stop();
    await ctx.signals.close();
    ctx.mailer.close();
    await ctx.database.close();
  }
}

export function print(json: boolean | undefined, value: unknown, human: string): void {
  process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${human}\n`);
}

export { choice, positiveInt } from './args.js';

export async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new Error('--password-stdin reads the password from standard input; pipe it in (echo … | eoc users create …).');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Every .json file under the given files and folders, in a stable order. */
export function jsonFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    const stat = fs.statSync(p);
    if (stat.isDirectory()) {
      for (const name of fs.readdirSync(p).sort()) if (!name.startsWith('.')) walk(path.join(p, name));
    } else if (p.endsWith('.json')) {
      out.push(p);
    }
  };
  for (const p of paths) {
    if (!fs.existsSync(p)) throw new Error(`No file or folder at ${p}`);
    walk(p);
  }
  return out;
}
