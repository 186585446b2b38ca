import { resample } from './resampler.js';

const sine = (hz: number, rate: number, length: number, amplitude = 1) =>
  Float32Array.from({ length }, (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / rate));

function rms(signal: Float32Array, start = 0, end = signal.length): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum += signal[i]! ** 2;
  return Math.sqrt(sum / (end - start));
}

function zeroCrossings(signal: Float32Array, start: number, end: number): number {
  let count = 0;
  for (let i = start + 1; i < end; i++) if (signal[i - 1]! < 0 !== signal[i]! < 0) count++;
  return count;
}

/** What a resampler without a low-pass filter does: pick the nearest input sample. */
const dropSamples = (input: Float32Array, from: number, to: number) =>
  Float32Array.from({ length: Math.round((input.length * to) / from) }, (_, n) => {
    return input[Math.min(input.length - 1, Math.round((n * from) / to))]!;
  });

/** The largest |signal[n] − expected(n)| over [start, end). */
function worstError(
  signal: Float32Array,
  expected: (n: number) => number,
  start: number,
  end: number,
): number {
  let worst = 0;
  for (let n = start; n < end; n++) worst = Math.max(worst, Math.abs(signal[n]! - expected(n)));
  return worst;
}

/** Samples kept clear of each end, where the kernel is truncated. */
const EDGE = 200;

describe('resample', () => {
  it('returns the input itself when the rates are equal', () => {
    const input = sine(440, 16_000, 100);
    expect(resample(input, 16_000, 16_000)).toBe(input);
  });

  it('returns an empty array for empty input', () => {
    expect(resample(new Float32Array(0), 44_100, 16_000)).toHaveLength(0);
    expect(resample(new Float32Array(0), 16_000, 48_000)).toHaveLength(0);
  });

  it.each([
    [44_100, 16_000, 4410, 1600],
    [44_100, 16_000, 1000, 363], // 362.81 rounds up
    [48_000, 16_000, 1000, 333], // 333.33 rounds down
    [22_050, 16_000, 441, 320],
    [16_000, 48_000, 10, 30],
    [8000, 44_100, 3, 17], // 16.54
    [48_000, 16_000, 1, 0], // 0.33
  ])('resamples %i → %i Hz: %i samples become %i', (from, to, length, expected) => {
    expect(resample(sine(100, from, length), from, to)).toHaveLength(expected);
  });

  it('does not modify its input', () => {
    const input = sine(1000, 44_100, 500);
    const copy = Float32Array.from(input);
    resample(input, 44_100, 16_000);
    expect(input).toEqual(copy);
  });

  it.each([
    [44_100, 16_000],
    [48_000, 16_000],
    [16_000, 48_000],
    [22_050, 16_000],
  ])('keeps a DC signal at 1 everywhere, edges included (%i → %i Hz)', (from, to) => {
    const out = resample(new Float32Array(2000).fill(1), from, to);
    expect(out.length).toBeGreaterThan(0);
    expect(worstError(out, () => 1, 0, out.length)).toBeLessThan(1e-5);
  });

  it('keeps a constant other than 1 at its level (gain is exactly 1)', () => {
    const out = resample(new Float32Array(500).fill(-0.25), 44_100, 16_000);
    expect(out.length).toBeGreaterThan(0);
    expect(worstError(out, () => -0.25, 0, out.length)).toBeLessThan(1e-6);
  });

  describe('downsampling 44.1 kHz → 16 kHz', () => {
    const from = 44_100;
    const to = 16_000;
    const seconds = 0.25;
    const input = (hz: number) => sine(hz, from, Math.round(from * seconds));

    it('keeps a 1 kHz sine at full level and in phase', () => {
      const out = resample(input(1000), from, to);
      expect(out).toHaveLength(to * seconds);
      expect(rms(out, EDGE, out.length - EDGE)).toBeCloseTo(Math.SQRT1_2, 2);
      // Output sample n sits at time n / 16000 s: no delay or drift.
      const inPhase = (n: number) => Math.sin((2 * Math.PI * 1000 * n) / to);
      expect(worstError(out, inPhase, EDGE, out.length - EDGE)).toBeLessThan(1e-3);
    });

    it('keeps the frequency of a 1 kHz sine (2 zero crossings per period)', () => {
      const out = resample(input(1000), from, to);
      const window = out.length - 2 * EDGE; // 3600 samples = 225 ms = 225 periods
      const crossings = zeroCrossings(out, EDGE, out.length - EDGE);
      expect(Math.abs(crossings - (2 * 1000 * window) / to)).toBeLessThanOrEqual(2);
    });

    it('suppresses a 12 kHz sine, above the new 8 kHz Nyquist frequency, instead of aliasing it', () => {
      const tone = input(12_000);
      const out = resample(tone, from, to);
      expect(rms(out, EDGE, out.length - EDGE)).toBeLessThan(0.01);
      // Without the anti-aliasing filter the tone folds back to 16 − 12 = 4 kHz at nearly full strength.
      const naive = dropSamples(tone, from, to);
      expect(rms(naive, EDGE, naive.length - EDGE)).toBeGreaterThan(0.5);
    });

    it('passes the low tone and removes the high one from a mixture', () => {
      const low = input(1000);
      const high = input(12_000);
      const mix = low.map((v, i) => 0.5 * v + 0.5 * high[i]!);
      const out = resample(mix, from, to);
      const expected = resample(low, from, to).map((v) => 0.5 * v);
      expect(worstError(out, (n) => expected[n]!, EDGE, out.length - EDGE)).toBeLessThan(0.01);
    });
  });

  it('suppresses 9 kHz when downsampling 48 kHz → 16 kHz', () => {
    const out = resample(sine(9000, 48_000, 12_000), 48_000, 16_000);
    expect(rms(out, EDGE, out.length - EDGE)).toBeLessThan(0.01);
  });

  it('keeps a 3 kHz sine through a non-integer ratio (22.05 kHz → 16 kHz)', () => {
    const out = resample(sine(3000, 22_050, 5513), 22_050, 16_000);
    expect(rms(out, EDGE, out.length - EDGE)).toBeCloseTo(Math.SQRT1_2, 2);
    const window = out.length - 2 * EDGE;
    expect(
      Math.abs(zeroCrossings(out, EDGE, out.length - EDGE) - (2 * 3000 * window) / 16_000),
    ).toBeLessThanOrEqual(2);
  });

  describe('upsampling 16 kHz → 48 kHz', () => {
    it('keeps a 1 kHz sine at full level, frequency and phase', () => {
      const out = resample(sine(1000, 16_000, 4000), 16_000, 48_000);
      expect(out).toHaveLength(12_000);
      const start = 3 * EDGE;
      const end = out.length - 3 * EDGE;
      expect(rms(out, start, end)).toBeCloseTo(Math.SQRT1_2, 2);
      expect(
        Math.abs(zeroCrossings(out, start, end) - (2 * 1000 * (end - start)) / 48_000),
      ).toBeLessThanOrEqual(2);
      const inPhase = (n: number) => Math.sin((2 * Math.PI * 1000 * n) / 48_000);
      expect(worstError(out, inPhase, start, end)).toBeLessThan(1e-3);
    });

    it('reproduces the original samples at the positions that line up', () => {
      const input = sine(1000, 16_000, 1000, 0.8);
      const out = resample(input, 16_000, 48_000);
      const aligned = Float32Array.from({ length: input.length }, (_, k) => out[3 * k]!);
      expect(worstError(aligned, (k) => input[k]!, 100, input.length - 100)).toBeLessThan(1e-3);
    });
  });

  it('gives the same signal through a rate pair too irregular for per-phase taps (44.1 kHz → 16 001 Hz)', () => {
    // 16 001 phases is past the per-phase limit, so this takes the interpolated-kernel loop end to end.
    const out = resample(sine(1000, 44_100, 11_025), 44_100, 16_001);
    expect(out).toHaveLength(4000);
    const inPhase = (n: number) => Math.sin((2 * Math.PI * 1000 * n) / 16_001);
    expect(worstError(out, inPhase, EDGE, out.length - EDGE)).toBeLessThan(1e-3);
    const regular = resample(sine(1000, 44_100, 11_025), 44_100, 16_000);
    expect(rms(out, EDGE, out.length - EDGE)).toBeCloseTo(rms(regular, EDGE, regular.length - EDGE), 3);
  });
});
