// SHA-256 for the sampler's hot loop. Every first ticket hashes `sha256_hex(seed) + str(id)`: the first 64 bytes
// (the seed's hex digest) are one whole block, the same for every ballot, so their compression is done once and
// each ballot costs only the compression of its own short tail. Node's createHash costs about a microsecond of
// call overhead per ballot, which is most of the time on a ten-million-ballot manifest; this does not. Written by
// hand because no library exposes a SHA-256 midstate; checked against node:crypto in sha256-midstate.test.ts.

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);

const INITIAL = new Int32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

const W = new Int32Array(64);
const VARS = new Int32Array(8);

/**
 * Runs rounds `from`..63 of one block whose message words 0..15 are in `w`, starting from the working variables
 * in `vars` (a..h after round `from` - 1), and adds the result into `state`.
 */
function rounds(state: Int32Array, w: Int32Array, vars: Int32Array, from: number): void {
  const k = K;
  let a = vars[0]!;
  let b = vars[1]!;
  let c = vars[2]!;
  let d = vars[3]!;
  let e = vars[4]!;
  let f = vars[5]!;
  let g = vars[6]!;
  let h = vars[7]!;
  for (let i = from; i < 64; i++) {
    let wi: number;
    if (i < 16) wi = w[i]!;
    else {
      const w15 = w[i - 15]!;
      const w2 = w[i - 2]!;
      wi = (w[i - 16]! + (((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3)) + w[i - 7]! + (((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10))) | 0;
      w[i] = wi;
    }
    const t1 = (h + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) + ((e & f) ^ (~e & g)) + k[i]! + wi) | 0;
    const t2 = ((((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[0] = (state[0]! + a) | 0;
  state[1] = (state[1]! + b) | 0;
  state[2] = (state[2]! + c) | 0;
  state[3] = (state[3]! + d) | 0;
  state[4] = (state[4]! + e) | 0;
  state[5] = (state[5]! + f) | 0;
  state[6] = (state[6]! + g) | 0;
  state[7] = (state[7]! + h) | 0;
}

export function loadWords(w: Int32Array, bytes: Uint8Array, offset: number, from = 0): void {
  for (let i = from; i < 16; i++) {
    const o = offset + i * 4;
    w[i] = (bytes[o]! << 24) | (bytes[o + 1]! << 16) | (bytes[o + 2]! << 8) | bytes[o + 3]!;
  }
}

/** Compresses one 64-byte block of `bytes` at `offset` into `state` (8 words, updated in place). */
function compress(state: Int32Array, bytes: Uint8Array, offset: number): void {
  loadWords(W, bytes, offset);
  VARS.set(state);
  rounds(state, W, VARS, 0);
}

/**
 * SHA-256 of `prefix + tail` where `prefix` is exactly 64 bytes, hashed once. `digest(tail, length)` writes the
 * eight big-endian words of the hash into `out` and reuses its own buffers: not re-entrant, one per loop.
 */
export class PrefixedSha256 {
  private readonly mid = new Int32Array(8);
  private readonly state = new Int32Array(8);
  private block = new Uint8Array(128);

  constructor(prefix: Uint8Array) {
    if (prefix.length !== 64) throw new Error('the prefix must be one 64-byte block');
    this.mid.set(INITIAL);
    compress(this.mid, prefix, 0);
  }

  /** The state after the 64-byte prefix. */
  get midstate(): Int32Array {
    return this.mid;
  }

  digest(tail: Uint8Array, length: number, out: Int32Array): void {
    const padded = Math.ceil((length + 9) / 64) * 64;
    if (this.block.length < padded) this.block = new Uint8Array(padded * 2);
    const block = this.block;
    // A byte loop, not set(subarray): a view allocated per ballot would be most of the garbage.
    for (let i = 0; i < length; i++) block[i] = tail[i]!;
    block[length] = 0x80;
    block.fill(0, length + 1, padded - 8);
    // Message length in bits, prefix included; a tail long enough to overflow 32 bits is not a ballot id.
    const bits = (64 + length) * 8;
    block[padded - 8] = 0;
    block[padded - 7] = 0;
    block[padded - 6] = 0;
    block[padded - 5] = Math.floor(bits / 2 ** 32) & 0xff;
    block[padded - 4] = (bits >>> 24) & 0xff;
    block[padded - 3] = (bits >>> 16) & 0xff;
    block[padded - 2] = (bits >>> 8) & 0xff;
    block[padded - 1] = bits & 0xff;
    const state = this.state;
    state.set(this.mid);
    for (let off = 0; off < padded; off += 64) compress(state, block, off);
    out.set(state);
  }

  // A tail that is a fixed prefix plus a short varying end (a batch's ballots): the rounds that read only the
  // prefix's whole words are run once per prefix.
  private readonly tailBlock = new Uint8Array(64);
  private readonly tailW = new Int32Array(64);
  private readonly tailVars = new Int32Array(8);
  private tailFixedWords = 0;
  private tailPrefixLength = 0;

  /** Sets the fixed start of the next tails; returns the block to write each tail's end into, after the prefix. */
  setTailPrefix(prefix: Uint8Array): Uint8Array {
    this.tailPrefixLength = prefix.length;
    this.tailBlock.fill(0);
    const fixed = Math.min(Math.floor(prefix.length / 4), 14);
    this.tailFixedWords = fixed;
    if (prefix.length <= 55) {
      this.tailBlock.set(prefix, 0);
      loadWords(this.tailW, this.tailBlock, 0);
      // Working variables after the fixed rounds.
      this.tailVars.set(runRounds(this.mid, this.tailW, fixed));
    }
    return this.tailBlock;
  }

  /**
   * SHA-256 of prefix + the tail of `length` bytes now in the block returned by setTailPrefix (the caller wrote
   * its end after the prefix). Tails too long for one block take the general path.
   */
  digestTail(length: number, out: Int32Array): void {
    const block = this.tailBlock;
    if (length > 55 || this.tailPrefixLength > 55) {
      this.digest(block, length, out);
      return;
    }
    block[length] = 0x80;
    block.fill(0, length + 1, 56);
    const bits = (64 + length) * 8;
    block[60] = (bits >>> 24) & 0xff;
    block[61] = (bits >>> 16) & 0xff;
    block[62] = (bits >>> 8) & 0xff;
    block[63] = bits & 0xff;
    const w = this.tailW;
    loadWords(w, block, 0, this.tailFixedWords);
    out.set(this.mid);
    rounds(out, w, this.tailVars, this.tailFixedWords);
  }
}

/** Working variables a..h after rounds 0..n-1 from `vars` with message words `w` (n ≤ 16). */
export function runRounds(vars: Int32Array, w: Int32Array, n: number): Int32Array {
  let [a, b, c, d, e, f, g, h] = vars as unknown as number[];
  for (let i = 0; i < n; i++) {
    const t1 = (h! + (((e! >>> 6) | (e! << 26)) ^ ((e! >>> 11) | (e! << 21)) ^ ((e! >>> 25) | (e! << 7))) + ((e! & f!) ^ (~e! & g!)) + K[i]! + w[i]!) | 0;
    const t2 = ((((a! >>> 2) | (a! << 30)) ^ ((a! >>> 13) | (a! << 19)) ^ ((a! >>> 22) | (a! << 10))) + ((a! & b!) ^ (a! & c!) ^ (b! & c!))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d! + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  return Int32Array.from([a!, b!, c!, d!, e!, f!, g!, h!]);
}

/** The hash (8 big-endian 32-bit words) as one unsigned integer. */
export function wordsToBigInt(words: Int32Array): bigint {
  let v = 0n;
  for (let i = 0; i < 8; i++) v = (v << 32n) | BigInt(words[i]! >>> 0);
  return v;
}

// 2^(16·j) mod 10^9 for the sixteen 16-bit limbs, least significant first: every product is below 2^46 and their
// sum below 2^50, so one final modulo on an exact double gives the residue.
export const LIMB_MOD = (() => {
  const out = new Float64Array(16);
  let p = 1n;
  for (let j = 0; j < 16; j++) {
    out[j] = Number(p % 1_000_000_000n);
    p <<= 16n;
  }
  return out;
})();

/** The hash modulo 10^9. */
export function wordsMod1e9(words: Int32Array): number {
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const w = words[7 - i]! >>> 0;
    sum += (w & 0xffff) * LIMB_MOD[2 * i]! + (w >>> 16) * LIMB_MOD[2 * i + 1]!;
  }
  // | 0: below 2^30, so a small integer, not a boxed double allocated per ballot.
  return (sum % 1e9) | 0;
}
