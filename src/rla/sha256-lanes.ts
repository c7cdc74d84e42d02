// Four ballots of a batch hashed at once: the tails `prefix + position + ")"` of four consecutive positions go
// into the four lanes of the WebAssembly SIMD compression (sha256x4-wat.ts). The batch's fixed prefix is laid out
// once; per group only the words holding the digits change. Where WebAssembly SIMD is missing, `create` answers
// null and the sampler hashes one ballot at a time.
import { LIMB_MOD, loadWords, runRounds } from './sha256-midstate.js';
import { SHA256X4_WASM } from './sha256x4-wasm.js';
import { LAYOUT } from './sha256x4-wat.js';

let compiled: WebAssembly.Module | null | undefined;

function wasmModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(Buffer.from(SHA256X4_WASM, 'base64'));
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/** Writes `position` and ")" at `start`, then SHA-256 padding for a message of 64 + tail bytes; returns the tail length. */
export function writePosition(block: Uint8Array, start: number, position: number): number {
  const digits = position < 10 ? 1 : position < 100 ? 2 : position < 1000 ? 3 : position < 10_000 ? 4 : position < 100_000 ? 5 : position < 1_000_000 ? 6 : String(position).length;
  for (let i = digits - 1, v = position; i >= 0; i--) {
    block[start + i] = 48 + (v % 10);
    v = (v - (v % 10)) / 10;
  }
  const length = start + digits + 1;
  block[length - 1] = 0x29;
  block[length] = 0x80;
  for (let i = length + 1; i < 60; i++) block[i] = 0;
  const bits = (64 + length) * 8;
  block[60] = (bits >>> 24) & 0xff;
  block[61] = (bits >>> 16) & 0xff;
  block[62] = (bits >>> 8) & 0xff;
  block[63] = bits & 0xff;
  return length;
}

export class Sha256Lanes {
  private readonly m32: Int32Array;
  private readonly compress4: (from: number) => void;
  private readonly blocks = [new Uint8Array(64), new Uint8Array(64), new Uint8Array(64), new Uint8Array(64)] as const;
  private readonly words = new Int32Array(16);
  private start = 0;
  private fixed = 0;

  private constructor(instance: WebAssembly.Instance, private readonly mid: Int32Array) {
    const exports = instance.exports as { memory: WebAssembly.Memory; compress4: (from: number) => void };
    this.m32 = new Int32Array(exports.memory.buffer);
    this.compress4 = exports.compress4;
    this.m32.set(mid, LAYOUT.mid / 4);
  }

  /** Lanes over the state after the seed block; null where WebAssembly SIMD is not available. */
  static create(mid: Int32Array): Sha256Lanes | null {
    const m = wasmModule();
    return m ? new Sha256Lanes(new WebAssembly.Instance(m), mid) : null;
  }

  /** Whether tails of this prefix and positions up to `maxPosition` fit one block. */
  static fits(prefixLength: number, maxPosition: number): boolean {
    return prefixLength + String(maxPosition).length + 1 <= 55;
  }

  /** Lays out a batch's prefix in every lane and runs the rounds that read only its whole words. */
  setPrefix(prefix: Uint8Array): void {
    this.start = prefix.length;
    this.fixed = Math.min(Math.floor(prefix.length / 4), 14);
    for (const b of this.blocks) {
      b.fill(0);
      b.set(prefix, 0);
    }
    writePosition(this.blocks[0], this.start, 1);
    loadWords(this.words, this.blocks[0], 0);
    this.m32.set(runRounds(this.mid, this.words, this.fixed), LAYOUT.vars / 4);
    const base = LAYOUT.words / 4;
    for (let j = 0; j < this.fixed; j++) for (let lane = 0; lane < 4; lane++) this.m32[base + j * 4 + lane] = this.words[j]!;
  }

  /** Hashes positions first..first+3 of the batch. */
  hash4(first: number): void {
    const base = LAYOUT.words / 4;
    for (let lane = 0; lane < 4; lane++) {
      const b = this.blocks[lane]!;
      writePosition(b, this.start, first + lane);
      for (let j = this.fixed; j < 16; j++) {
        const o = j * 4;
        this.m32[base + j * 4 + lane] = (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!;
      }
    }
    this.compress4(this.fixed);
  }

  /** A lane's digest modulo 10^9 (see wordsMod1e9). */
  mod1e9(lane: number): number {
    const m = this.m32;
    const base = LAYOUT.out / 4 + lane;
    let sum = 0;
    for (let i = 0; i < 8; i++) {
      const w = m[base + (7 - i) * 4]! >>> 0;
      sum += (w & 0xffff) * LIMB_MOD[2 * i]! + (w >>> 16) * LIMB_MOD[2 * i + 1]!;
    }
    return (sum % 1e9) | 0;
  }

  /** A lane's digest as 8 big-endian words. */
  digest(lane: number, out: Int32Array): void {
    const base = LAYOUT.out / 4 + lane;
    for (let k = 0; k < 8; k++) out[k] = this.m32[base + k * 4]!;
  }
}
