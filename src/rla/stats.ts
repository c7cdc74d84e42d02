// The normal and binomial distribution functions BRAVO's sample-size estimates use (the reference calls SciPy's
// norm.ppf, norm.cdf and binom.ppf). Written here because no maintained JavaScript library gives all three with
// the accuracy the ceil/floor steps need: the normal CDF is Hart's double-precision algorithm (as given by West,
// "Better approximations to cumulative normal functions", 2005), the quantile is Acklam's approximation refined
// by one Halley step on that CDF, and the binomial quantile sums the probability mass outward from the mode, so
// no log-gamma error enters.

export function normCdf(x: number): number {
  const z = Math.abs(x);
  let c: number;
  if (z > 37) c = 0;
  else {
    const e = Math.exp((-z * z) / 2);
    if (z < 7.07106781186547) {
      let n = 3.52624965998911e-2 * z + 0.700383064443688;
      n = n * z + 6.37396220353165;
      n = n * z + 33.912866078383;
      n = n * z + 112.079291497871;
      n = n * z + 221.213596169931;
      n = n * z + 220.206867912376;
      let d = 8.83883476483184e-2 * z + 1.75566716318264;
      d = d * z + 16.064177579207;
      d = d * z + 86.7807322029461;
      d = d * z + 296.564248779674;
      d = d * z + 637.333633378831;
      d = d * z + 793.826512519948;
      d = d * z + 440.413735824752;
      c = (e * n) / d;
    } else {
      let b = z + 0.65;
      b = z + 4 / b;
      b = z + 3 / b;
      b = z + 2 / b;
      b = z + 1 / b;
      c = e / b / 2.506628274631;
    }
  }
  return x > 0 ? 1 - c : c;
}

const A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];

export function normPpf(p: number): number {
  if (!(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : NaN;
  const low = 0.02425;
  let x: number;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((C[0]! * q + C[1]!) * q + C[2]!) * q + C[3]!) * q + C[4]!) * q + C[5]!) / ((((D[0]! * q + D[1]!) * q + D[2]!) * q + D[3]!) * q + 1);
  } else if (p <= 1 - low) {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((A[0]! * r + A[1]!) * r + A[2]!) * r + A[3]!) * r + A[4]!) * r + A[5]!) * q) / (((((B[0]! * r + B[1]!) * r + B[2]!) * r + B[3]!) * r + B[4]!) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((C[0]! * q + C[1]!) * q + C[2]!) * q + C[3]!) * q + C[4]!) * q + C[5]!) / ((((D[0]! * q + D[1]!) * q + D[2]!) * q + D[3]!) * q + 1);
  }
  const e = normCdf(x) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

/** Smallest k with P(X ≤ k) ≥ q for X ~ Binomial(n, p): SciPy's binom.ppf. */
export function binomPpf(q: number, n: number, p: number): number {
  if (!(q >= 0 && q <= 1) || !(p >= 0 && p <= 1) || !Number.isSafeInteger(n) || n < 0) return NaN;
  if (q === 0) return p === 1 ? n : 0;
  if (p === 0) return 0;
  if (p === 1) return n;
  const mode = Math.min(n, Math.floor((n + 1) * p));
  const ratio = p / (1 - p);
  // Weights relative to the mode's mass; beyond ~40 standard deviations they vanish in double precision.
  const below: number[] = [];
  let w = 1;
  for (let k = mode; k > 0; k--) {
    w *= k / (n - k + 1) / ratio;
    if (w < 1e-300) break;
    below.push(w);
  }
  let total = 1;
  for (const b of below) total += b;
  const above: number[] = [];
  w = 1;
  for (let k = mode; k < n; k++) {
    w *= ((n - k) / (k + 1)) * ratio;
    if (w < 1e-300) break;
    above.push(w);
  }
  for (const a of above) total += a;
  // Walk up from the lowest k with any mass.
  let cdf = 0;
  for (let i = below.length - 1; i >= 0; i--) {
    cdf += below[i]!;
    if (cdf / total >= q) return mode - 1 - i;
  }
  cdf += 1;
  if (cdf / total >= q) return mode;
  for (let i = 0; i < above.length; i++) {
    cdf += above[i]!;
    if (cdf / total >= q) return mode + 1 + i;
  }
  return mode + above.length;
}
