/**
 * Band-limited resampling with a Kaiser-windowed sinc: the filter's cutoff sits below the lower of the two
 * Nyquist frequencies, so downsampling (44.1/48 kHz → 16 kHz) does not fold high frequencies back as aliases.
 * For the common rate pairs (a small ratio of integers, e.g. 44.1 → 16 kHz is 160 phases) each output phase
 * gets its own normalized taps once, so the inner loop is a plain dot product; other pairs and the two edges
 * read one tabulated kernel with linear interpolation.
 */
const HALF_TAPS = 16; // zero crossings per side at the lower rate
const KAISER_BETA = 8;
const ROLL_OFF = 0.92; // cutoff as a fraction of the lower Nyquist frequency
const TABLE_STEPS = 512; // table entries per input sample
const MAX_PHASES = 4096; // beyond this, per-phase taps cost more memory than they save time

interface Kernel {
  reach: number;
  table: Float32Array;
  polyphase: Polyphase | undefined;
}

/** Output n reads input from floor(n·step/phases) − reach + 1 with taps[(n·step mod phases)·width …]. */
interface Polyphase {
  phases: number;
  step: number;
  width: number;
  taps: Float32Array;
}

const kernels = new Map<string, Kernel>();

export function resample(input: Float32Array, from: number, to: number): Float32Array {
  if (from === to || input.length === 0) return input;
  const ratio = to / from;
  const { reach, table, polyphase } = kernelFor(from, to);
  const out = new Float32Array(Math.round(input.length * ratio));
  for (let n = 0; n < out.length; n++) {
    if (polyphase) {
      const { phases, step, width, taps } = polyphase;
      const whole = Math.floor((n * step) / phases);
      const first = whole - reach + 1;
      if (first >= 0 && first + width <= input.length) {
        const offset = ((n * step) % phases) * width;
        let sum = 0;
        for (let j = 0; j < width; j++) sum += input[first + j]! * taps[offset + j]!;
        out[n] = sum;
        continue;
      }
    }
    const centre = n / ratio;
    const first = Math.max(0, Math.ceil(centre - reach));
    const last = Math.min(input.length - 1, Math.floor(centre + reach));
    let sum = 0;
    let weights = 0;
    for (let k = first; k <= last; k++) {
      const position = Math.abs(k - centre) * TABLE_STEPS;
      const index = Math.floor(position);
      const fraction = position - index;
      const w = table[index]! + fraction * (table[index + 1]! - table[index]!);
      sum += input[k]! * w;
      weights += w;
    }
    // Normalizing by the tap sum keeps DC gain exactly 1, also at the signal's edges.
    out[n] = weights === 0 ? 0 : sum / weights;
  }
  return out;
}

function kernelFor(from: number, to: number): Kernel {
  const key = `${from}:${to}`;
  const cached = kernels.get(key);
  if (cached) return cached;
  const cutoff = ROLL_OFF * Math.min(1, to / from); // relative to the input Nyquist frequency
  const reach = Math.ceil(HALF_TAPS / cutoff); // input samples on each side
  const table = new Float32Array(reach * TABLE_STEPS + 2);
  const i0 = besselI0(KAISER_BETA);
  for (let i = 0; i < table.length; i++) {
    const t = i / TABLE_STEPS;
    const x = t / reach;
    const window = x >= 1 ? 0 : besselI0(KAISER_BETA * Math.sqrt(1 - x * x)) / i0;
    table[i] = window * sinc(cutoff * t);
  }
  const kernel = { reach, table, polyphase: polyphaseFor(from, to, reach, table) };
  kernels.set(key, kernel);
  return kernel;
}

function polyphaseFor(from: number, to: number, reach: number, table: Float32Array): Polyphase | undefined {
  const divisor = gcd(from, to);
  const phases = to / divisor;
  const step = from / divisor;
  if (!Number.isInteger(phases) || phases > MAX_PHASES) return undefined;
  // Input k = whole + j for j in (−reach, reach]: every sample the general loop would read for any phase.
  const width = 2 * reach;
  const taps = new Float32Array(phases * width);
  for (let p = 0; p < phases; p++) {
    const fraction = p / phases;
    let total = 0;
    for (let j = 0; j < width; j++) {
      const position = Math.abs(j - reach + 1 - fraction) * TABLE_STEPS;
      const index = Math.floor(position);
      const w =
        index + 1 < table.length
          ? table[index]! + (position - index) * (table[index + 1]! - table[index]!)
          : 0;
      taps[p * width + j] = w;
      total += w;
    }
    for (let j = 0; j < width; j++) taps[p * width + j] = taps[p * width + j]! / total;
  }
  return { phases, step, width, taps };
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = Math.PI * x;
  return Math.sin(px) / px;
}

function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const half = x / 2;
  for (let k = 1; k < 64; k++) {
    term *= (half / k) * (half / k);
    sum += term;
    if (term < 1e-12 * sum) break;
  }
  return sum;
}
