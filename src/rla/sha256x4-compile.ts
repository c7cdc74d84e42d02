// Compiles sha256x4-wat.ts to WebAssembly with wabt: used by the generator script and by the test that checks
// the committed bytes. Not loaded by the sampler itself.
import { sha256x4Wat } from './sha256x4-wat.js';

export async function compileSha256x4(): Promise<Buffer> {
  const { default: init } = await import('wabt');
  const wabt = await init();
  const module = wabt.parseWat('sha256x4.wat', sha256x4Wat(), { simd: true });
  try {
    module.validate();
    return Buffer.from(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}
