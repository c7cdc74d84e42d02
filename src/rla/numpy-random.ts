// NumPy's default_rng(seed) — SeedSequence feeding a PCG64 generator — far enough to reproduce
// Generator.random() and Generator.choice(a, size, p=…, replace=True). Arlo draws batch-comparison samples
// (PPEB) with it, seeded by the SHA-256 of the audit's seed, so the same draws need the same generator.
// Written by hand from NumPy's documented algorithms (O'Neill's PCG XSL-RR 128/64; the SeedSequence hash mixing);
// checked against NumPy itself in numpy-random.test.ts when python3 with NumPy is present.

const M32 = 0xffffffffn;
const M64 = (1n << 64n) - 1n;
const M128 = (1n << 128n) - 1n;

const INIT_A = 0x43b0d7e5;
const MULT_A = 0x931e8875;
const INIT_B = 0x8b51f9dd;
const MULT_B = 0x58f38ded;
const MIX_MULT_L = 0xca01f9dd;
const MIX_MULT_R = 0x4973f715;
const XSHIFT = 16;
const POOL_SIZE = 4;

const mul32 = (a: number, b: number): number => Math.imul(a, b) >>> 0;

/** SeedSequence(entropy).generate_state(words64, uint64). */
export function seedSequenceState(entropy: bigint, words64: number): bigint[] {
  const run: number[] = [];
  let e = entropy;
  do {
    run.push(Number(e & M32));
    e >>= 32n;
  } while (e > 0n);
  let hashConst = INIT_A;
  const hashmix = (value: number): number => {
    let v = (value ^ hashConst) >>> 0;
    hashConst = mul32(hashConst, MULT_A);
    v = mul32(v, hashConst);
    return (v ^ (v >>> XSHIFT)) >>> 0;
  };
  const mix = (x: number, y: number): number => {
    const r = (mul32(MIX_MULT_L, x) - mul32(MIX_MULT_R, y)) >>> 0;
    return (r ^ (r >>> XSHIFT)) >>> 0;
  };
  const pool = new Array<number>(POOL_SIZE);
  for (let i = 0; i < POOL_SIZE; i++) pool[i] = hashmix(i < run.length ? run[i]! : 0);
  for (let src = 0; src < POOL_SIZE; src++) {
    for (let dst = 0; dst < POOL_SIZE; dst++) if (src !== dst) pool[dst] = mix(pool[dst]!, hashmix(pool[src]!));
  }
  for (let src = POOL_SIZE; src < run.length; src++) {
    for (let dst = 0; dst < POOL_SIZE; dst++) pool[dst] = mix(pool[dst]!, hashmix(run[src]!));
  }
  let hb = INIT_B;
  const words32: number[] = [];
  for (let i = 0; i < words64 * 2; i++) {
    let v = (pool[i % POOL_SIZE]! ^ hb) >>> 0;
    hb = mul32(hb, MULT_B);
    v = mul32(v, hb);
    words32.push((v ^ (v >>> XSHIFT)) >>> 0);
  }
  const out: bigint[] = [];
  for (let i = 0; i < words64; i++) out.push((BigInt(words32[2 * i + 1]!) << 32n) | BigInt(words32[2 * i]!));
  return out;
}

const PCG_MULT = (2549297995355413924n << 64n) + 4865540595714422341n;

/** NumPy's PCG64 bit generator with the Generator methods Arlo's batch sampling uses. */
export class NumpyGenerator {
  private state = 0n;
  private readonly inc: bigint;

  constructor(seed: bigint) {
    const [s0, s1, i0, i1] = seedSequenceState(seed, 4) as [bigint, bigint, bigint, bigint];
    const initState = (s0 << 64n) | s1;
    const initSeq = (i0 << 64n) | i1;
    this.inc = ((initSeq << 1n) | 1n) & M128;
    this.step();
    this.state = (this.state + initState) & M128;
    this.step();
  }

  private step(): void {
    this.state = (this.state * PCG_MULT + this.inc) & M128;
  }

  nextUint64(): bigint {
    this.step();
    const s = this.state;
    const value = ((s >> 64n) ^ s) & M64;
    const rot = Number(s >> 122n);
    return ((value >> BigInt(rot)) | (value << BigInt((64 - rot) & 63))) & M64;
  }

  /** Generator.random(): a double in [0, 1) from the top 53 bits. */
  random(): number {
    return Number(this.nextUint64() >> 11n) / 9007199254740992;
  }

  /** Generator.choice(range(p.length), size, p=p, replace=True): indexes. */
  choiceWeighted(p: readonly number[], size: number): number[] {
    const cdf: number[] = [];
    let sum = 0;
    for (const x of p) {
      sum += x;
      cdf.push(sum);
    }
    const last = cdf[cdf.length - 1]!;
    for (let i = 0; i < cdf.length; i++) cdf[i] = cdf[i]! / last;
    const out: number[] = [];
    for (let n = 0; n < size; n++) {
      const u = this.random();
      // searchsorted(side='right'): the first index whose cdf exceeds u.
      let lo = 0;
      let hi = cdf.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cdf[mid]! <= u) lo = mid + 1;
        else hi = mid;
      }
      out.push(lo);
    }
    return out;
  }
}
