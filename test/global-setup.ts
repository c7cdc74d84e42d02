// Once per test run: an embedded database with every migration applied, copied by each test file instead of
// initialising PostgreSQL-in-WASM from scratch (seconds each on two cores).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrate, migrationsFolder, openDatabase } from '../src/platform/db/client.js';

export default async function setup(): Promise<void> {
  if (process.env.TEST_DATABASE_URL) return;
  const hash = crypto.createHash('sha256');
  for (const f of fs.readdirSync(migrationsFolder, { recursive: true }).map(String).sort()) {
    const p = path.join(migrationsFolder, f);
    if (fs.statSync(p).isFile()) hash.update(f).update(fs.readFileSync(p));
  }
  const dir = path.join(os.tmpdir(), `eoc-test-template-${hash.digest('hex').slice(0, 12)}`);
  if (!fs.existsSync(path.join(dir, 'ready'))) {
    fs.rmSync(dir, { recursive: true, force: true });
    const db = await openDatabase({ dataDir: dir });
    await migrate(db);
    await db.close();
    fs.writeFileSync(path.join(dir, 'ready'), new Date().toISOString());
  }
  process.env.EOC_TEST_TEMPLATE = dir;
}
