import { randomUUID } from 'node:crypto';
import { normalizeName } from '../../src/modules/memory/semantic/entity-names.js';
import {
  firstVersion,
  type EntityRecord,
  type FactRecord,
} from '../../src/modules/memory/semantic/graph-store.js';
import { rng } from '../memory/synth-episodes.js';

// A synthetic tenant graph: entities with unique made-up two-word names (syllable pairs, so no English word and
// no one-word span of a sentence is a name), three facts per entity between random entities.

const SYLLABLES = ['ka', 'lo', 'mi', 'zu', 're', 'ta', 'vo', 'ni', 'sa', 'du', 'fe', 'go', 'bi', 'ju', 'pe'];
const ENDINGS = ['n', 'r', 'x', 'l', 'sh', 'th', 'm'];
/** 15 × 15 first names × 15 × 15 × 7 last names: 354,375 distinct names. */
const FIRSTS = SYLLABLES.flatMap((a) => SYLLABLES.map((b) => a + b));
const LASTS = SYLLABLES.flatMap((a) => SYLLABLES.flatMap((b) => ENDINGS.map((c) => a + b + c)));
export const MAX_ENTITIES = FIRSTS.length * LASTS.length;

const TYPES = ['person', 'place', 'organization'];
const PREDICATES = ['knows', 'works_at', 'lives_in', 'member_of', 'located_in', 'founded', 'visited', 'owns'];
const FILLER = (
  'the a we about after before meeting notes said that with from into over team plan call email ' +
  'yesterday tomorrow project budget review shared asked told agreed new old report again later office'
).split(' ');
/** Width of the bundled tiny-bert: what a real entity embedding would be here. */
const EMBEDDING_DIMS = 32;
const DAY = 24 * 3600 * 1000;
const FACTS_PER_ENTITY = 3;

const capital = (word: string) => word[0]!.toUpperCase() + word.slice(1);

/** The i-th name: consecutive indices differ in both words. */
export function nameOf(i: number): string {
  return `${capital(FIRSTS[i % FIRSTS.length]!)} ${capital(LASTS[Math.floor(i / FIRSTS.length)]!)}`;
}

export interface SyntheticGraph {
  entities: EntityRecord[];
  facts: FactRecord[];
}

export function syntheticGraph(tenant: string, size: number, seed = 7): SyntheticGraph {
  if (size > MAX_ENTITIES) throw new Error(`at most ${MAX_ENTITIES} distinct names`);
  const next = rng(seed);
  const pick = <T>(items: T[]) => items[Math.floor(next() * items.length)]!;
  const now = Date.now();
  const entities = Array.from({ length: size }, (_, i): EntityRecord => {
    const name = nameOf(i);
    const [first, last] = name.split(' ');
    return {
      id: randomUUID(),
      tenant,
      name,
      norm: normalizeName(name),
      type: pick(TYPES),
      // One in ten is also known by its name reversed: alias rows in the Name index.
      aliases: i % 10 === 0 ? [normalizeName(`${last} ${first}`)] : [],
      // Not read by any query measured here (lookups are by name, traversals by id): present for the row's size.
      embedding: Array.from({ length: EMBEDDING_DIMS }, () => next() * 2 - 1),
      summary: '',
      episodes: [],
      createdAt: now - Math.floor(next() * 365 * DAY),
    };
  });
  const facts = Array.from({ length: size * FACTS_PER_ENTITY }, (_, i): FactRecord => {
    const subject = Math.floor(next() * size);
    const object = (subject + 1 + Math.floor(next() * (size - 1))) % size; // never the subject itself
    const validFrom = now - Math.floor(next() * 5 * 365 * DAY);
    const id = randomUUID();
    return {
      id,
      ...firstVersion(id),
      tenant,
      subjectId: entities[subject]!.id,
      predicate: pick(PREDICATES),
      objectId: entities[object]!.id,
      validFrom,
      validTo: null,
      createdAt: validFrom + Math.floor(next() * (now - validFrom)),
      expiredAt: null,
      // Whole and fractional confidences both (1 and 0.5–1): the bulk path must keep doubles apart from ints.
      confidence: next() < 0.5 ? 1 : 0.5 + next() / 2,
      episodes: i % 20 === 0 ? [`episode-${i}`] : [],
    };
  });
  return { entities, facts };
}

/** About `words` words of filler with two of the entities' names in it (the second after the middle). */
export function mentionText(graph: SyntheticGraph, next: () => number, words = 30): string {
  const filler = (n: number) => Array.from({ length: n }, () => FILLER[Math.floor(next() * FILLER.length)]);
  const name = () => graph.entities[Math.floor(next() * graph.entities.length)]!.name;
  const third = Math.floor((words - 4) / 3);
  return [...filler(third), name(), ...filler(third), name(), ...filler(words - 4 - 2 * third)].join(' ');
}
