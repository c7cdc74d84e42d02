// The ceiling of this machine for the API benchmark: a bare Fastify server (no authentication, database,
// headers, metrics or logging) answering a page of the same size from memory, driven by the same load generator.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { root } from './server.js';

const SCRIPT = `
import fs from 'node:fs';
import Fastify from 'fastify';
const body = fs.readFileSync(process.env.BARE_BODY, 'utf8');
const app = Fastify({ logger: false });
app.get('/*', (_req, reply) => { reply.type('application/json; charset=utf-8').send(body); });
await app.listen({ port: Number(process.env.BARE_PORT), host: '127.0.0.1' });
process.stdout.write('ready\\n');
`;

export async function startBareServer(port: number, body: string): Promise<{ url: string; stop(): Promise<void> }> {
  const file = path.join(os.tmpdir(), `eoc-bare-${process.pid}.json`);
  fs.writeFileSync(file, body);
  const child = spawn(process.execPath, ['--input-type=module', '-e', SCRIPT], { cwd: root, env: { ...process.env, BARE_BODY: file, BARE_PORT: String(port) }, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`bare server exited (${code})`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      fs.rmSync(file, { force: true });
    },
  };
}
