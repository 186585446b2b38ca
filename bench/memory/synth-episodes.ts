import type { EpisodeRecord } from '../../src/modules/memory/episodic/episode.record.js';

// Synthetic episodes shaped like real sentence embeddings (all-MiniLM-style, 384 dims). Uniform random vectors
// would be the wrong benchmark: every point is nearly orthogonal to every other, so ANN recall and IVF partition
// balance say nothing about real data. Here each topic has a centroid (sharing a common mean direction, as real
// embeddings do: random pairs ≈ 0.1 cosine) and a 16-dim local subspace, plus small isotropic noise — same-topic
// pairs ≈ 0.5, nearest neighbours ≈ 0.8, and a low intrinsic dimension like real text.

export const DIMS = 384;
export const TOPICS = 500;
export const TENANTS = 10;
/** Bump when the generator changes: it is part of the table identity, so stale caches are rebuilt. */
export const IDENTITY = {
  name: 'bench-synthetic-clustered-v1',
  dims: DIMS,
  space: 'bench-synthetic-clustered-v1',
};

const LOCAL_RANK = 16;
const LOCAL_SCALE = 0.9;
const ISOTROPIC = 0.4;
const MEAN_WEIGHT = 0.5;
const TOPICS_PER_TENANT = 150;
const TOPIC_WORDS = 12;
const BASE_TIME = Date.UTC(2025, 0, 1);

/** mulberry32: tiny, fast and seedable, so every run (and every size) draws the same corpus. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(next: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    const r = Math.sqrt(-2 * Math.log(1 - next()));
    const theta = 2 * Math.PI * next();
    spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  };
}

function normalize(v: Float32Array): Float32Array {
  let sum = 0;
  for (const x of v) sum += x * x;
  const inv = 1 / Math.sqrt(sum);
  for (let i = 0; i < v.length; i++) v[i]! *= inv;
  return v;
}

/** Skewed pick in [0, n): n·u·v has density ∝ −ln x, so a few items are hot and many rare (topics, words, tenants). */
const skewed = (next: () => number, n: number) => Math.floor(n * next() * next());

export interface BenchQuery {
  tenant: string;
  vector: Float32Array;
  text: string;
}

export class SyntheticCorpus {
  private readonly centroids: Float32Array[] = [];
  private readonly bases: Float32Array[][] = [];
  private readonly topicWords: string[][] = [];
  private readonly tenantTopics: number[][] = [];
  readonly vocabulary: string[] = [];

  constructor() {
    const next = rng(42);
    const gauss = gaussian(next);
    const unit = () => normalize(Float32Array.from({ length: DIMS }, gauss));
    const mean = unit();
    for (let t = 0; t < TOPICS; t++) {
      const r = unit();
      this.centroids.push(normalize(r.map((x, i) => x + MEAN_WEIGHT * mean[i]!)));
      this.bases.push(Array.from({ length: LOCAL_RANK }, unit));
    }
    const syllables = [...'bdfgklmnprstvz'].flatMap((c) => [...'aeiou'].map((v) => c + v));
    const seen = new Set<string>();
    while (seen.size < 3000) {
      const length = 2 + Math.floor(next() * 2);
      seen.add(Array.from({ length }, () => syllables[Math.floor(next() * syllables.length)]).join(''));
    }
    this.vocabulary.push(...seen);
    for (let t = 0; t < TOPICS; t++)
      this.topicWords.push(Array.from({ length: TOPIC_WORDS }, () => this.word(next)));
    for (let t = 0; t < TENANTS; t++)
      this.tenantTopics.push(Array.from({ length: TOPICS_PER_TENANT }, () => Math.floor(next() * TOPICS)));
  }

  /** The first `total` episodes of one fixed stream, `size` per batch (so 10k is a prefix of 100k). */
  *batches(total: number, size: number): Generator<EpisodeRecord[]> {
    const next = rng(7);
    const gauss = gaussian(next);
    for (let start = 0; start < total; start += size) {
      const batch: EpisodeRecord[] = [];
      for (let i = start; i < Math.min(total, start + size); i++) {
        const tenant = skewed(next, TENANTS); // tenant 0 holds a third of the rows, tenant 9 half a percent
        const topic = this.tenantTopics[tenant]![skewed(next, TOPICS_PER_TENANT)]!;
        const text = this.sentence(next, topic, 6 + Math.floor(next() * 9));
        batch.push({
          id: `ep-${String(i).padStart(7, '0')}`,
          tenant: `t${tenant}`,
          sessionId: `s-${tenant}-${Math.floor(i / 40)}`,
          role: i % 2 === 0 ? 'user' : 'assistant',
          text,
          summary: text,
          modality: 'text',
          createdAt: BASE_TIME + i * 60_000,
          importance: Math.round(next() * 100) / 100,
          accessCount: 0,
          lastAccessAt: 0,
          media: [],
          consolidation: -1,
          archivedAt: 0,
          sources: [],
          vector: this.draw(gauss, topic),
        });
      }
      yield batch;
    }
  }

  /** Queries from the same distribution (fresh noise), tenants in rotation so small tenants count as much. */
  queries(count: number, seed: number): BenchQuery[] {
    const next = rng(seed);
    const gauss = gaussian(next);
    return Array.from({ length: count }, (_, q) => {
      const tenant = q % TENANTS;
      const topic = this.tenantTopics[tenant]![skewed(next, TOPICS_PER_TENANT)]!;
      return { tenant: `t${tenant}`, vector: this.draw(gauss, topic), text: this.sentence(next, topic, 3) };
    });
  }

  /** Words for working-memory turns (their content does not matter to Redis, their size does). */
  sentence(next: () => number, topic: number, words: number): string {
    const topicWords = this.topicWords[topic % TOPICS]!;
    return Array.from({ length: words }, () =>
      next() < 0.5 ? topicWords[skewed(next, TOPIC_WORDS)]! : this.word(next),
    ).join(' ');
  }

  private word(next: () => number): string {
    return this.vocabulary[skewed(next, this.vocabulary.length)]!;
  }

  private draw(gauss: () => number, topic: number): Float32Array {
    const v = Float32Array.from(this.centroids[topic]!);
    const basis = this.bases[topic]!;
    for (let j = 0; j < LOCAL_RANK; j++) {
      // Decaying variance along the local axes: a topic spreads mostly along a few directions.
      const a = (gauss() * LOCAL_SCALE * Math.pow(0.85, j)) / 1.9;
      const b = basis[j]!;
      for (let i = 0; i < DIMS; i++) v[i]! += a * b[i]!;
    }
    const s = ISOTROPIC / Math.sqrt(DIMS);
    for (let i = 0; i < DIMS; i++) v[i]! += gauss() * s;
    return normalize(v);
  }
}
