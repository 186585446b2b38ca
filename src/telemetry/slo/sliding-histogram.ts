import * as hdr from 'hdr-histogram-js';

/** What a window of observations says. Latencies in milliseconds (ms per audio second for audio stages). */
export interface WindowStats {
  count: number;
  errors: number;
  /** Calls the client abandoned: in neither count, errors nor percentiles. */
  cancelled: number;
  p50: number;
  p95: number;
  p99: number;
}

interface Bucket {
  start: number;
  histogram: hdr.Histogram;
  count: number;
  errors: number;
  cancelled: number;
}

// Microsecond resolution (in-process memory is sub-millisecond), up to an hour, 2 significant digits (1%).
const build = () =>
  hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 2,
    useWebAssembly: false,
  });

/**
 * Latencies over a sliding window: a ring of HDR histograms, one per slice of the window; a slice older than
 * the window is reset and reused, so memory is fixed and old samples fall out a slice at a time.
 */
export class SlidingHistogram {
  private readonly buckets: Bucket[];
  private readonly sliceMs: number;

  constructor(
    readonly windowMs: number,
    slices = 10,
  ) {
    this.sliceMs = Math.max(1, Math.ceil(windowMs / slices));
    this.buckets = Array.from({ length: slices }, () => ({
      start: Number.NEGATIVE_INFINITY,
      histogram: build(),
      count: 0,
      errors: 0,
      cancelled: 0,
    }));
  }

  /** Records one observation; NaN (a failure with no measurable latency) counts only as an error. */
  record(valueMs: number, failed: boolean, now: number): void {
    const bucket = this.bucketAt(now);
    bucket.count++;
    if (failed) bucket.errors++;
    if (Number.isFinite(valueMs)) bucket.histogram.recordValue(Math.max(1, Math.round(valueMs * 1000)));
  }

  /** Records a call the client abandoned. */
  recordCancelled(now: number): void {
    this.bucketAt(now).cancelled++;
  }

  stats(now: number): WindowStats {
    const merged = build();
    let count = 0;
    let errors = 0;
    let cancelled = 0;
    for (const b of this.buckets) {
      if (b.start <= now - this.windowMs) continue;
      merged.add(b.histogram);
      count += b.count;
      errors += b.errors;
      cancelled += b.cancelled;
    }
    const at = (p: number) => (merged.totalCount ? merged.getValueAtPercentile(p) / 1000 : 0);
    const stats = { count, errors, cancelled, p50: at(50), p95: at(95), p99: at(99) };
    merged.destroy();
    return stats;
  }

  private bucketAt(now: number): Bucket {
    const start = Math.floor(now / this.sliceMs) * this.sliceMs;
    const bucket = this.buckets[Math.floor(now / this.sliceMs) % this.buckets.length]!;
    if (bucket.start !== start) {
      bucket.start = start;
      bucket.histogram.reset();
      bucket.count = 0;
      bucket.errors = 0;
      bucket.cancelled = 0;
    }
    return bucket;
  }
}
