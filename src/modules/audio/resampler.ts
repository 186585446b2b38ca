/**
 * Band-limited resampling with a Kaiser-windowed sinc: the filter's cutoff sits below the lower of the two
 * Nyquist frequencies, so downsampling (44.1/48 kHz → 16 kHz) does not fold high frequencies back as aliases.
 * The kernel is tabulated once per rate pair and read with linear interpolation.
 */
const HALF_TAPS = 16; // zero crossings per side at the lower rate
const KAISER_BETA = 8;
const ROLL_OFF = 0.92; // cutoff as a fraction of the lower Nyquist frequency
const TABLE_STEPS = 512; // table entries per input sample

interface Kernel {
  reach: number;
  table: Float32Array;
}

const kernels = new Map<string, Kernel>();

export function resample(input: Float32Array, from: number, to: number): Float32Array {
  if (from === to || input.length === 0) return input;
  const ratio = to / from;
  const { reach, table } = kernelFor(from, to);
  const out = new Float32Array(Math.round(input.length * ratio));
  for (let n = 0; n < out.length; n++) {
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
  const kernel = { reach, table };
  kernels.set(key, kernel);
  return kernel;
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
