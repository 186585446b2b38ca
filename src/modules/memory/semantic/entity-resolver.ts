import { randomUUID } from 'node:crypto';
import { cosine } from '../../../common/vector.js';
import { nameTokens, normalizeName, wordsContained } from './entity-names.js';
import type { EntityRecord, GraphStore } from './graph-store.js';

const CANDIDATES_PER_WORD = 20;
/** The type of an entity nobody said the type of; compatible with any. */
export const UNKNOWN_TYPE = 'thing';

/**
 * Which entity a name means: exact name or alias first (the store's index), then an entity sharing all the
 * words of the shorter name whose name embedding is close enough, type permitting; else a new entity.
 */
export class EntityResolver {
  constructor(
    private readonly store: GraphStore,
    private readonly mergeThreshold: number,
  ) {}

  /** The entity a name refers to, created when none matches; its provenance gains `episodes`. */
  async resolve(
    tenant: string,
    name: string,
    type: string | undefined,
    vector: Float32Array,
    episodes: string[],
  ): Promise<EntityRecord> {
    const norm = normalizeName(name);
    const wanted = type ? normalizeName(type) : undefined;
    const found = await this.match(tenant, norm, wanted, vector);
    if (!found) {
      const entity: EntityRecord = {
        id: randomUUID(),
        tenant,
        name: name.trim(),
        norm,
        type: wanted ?? UNKNOWN_TYPE,
        aliases: [],
        embedding: Array.from(vector),
        summary: '',
        episodes,
        createdAt: Date.now(),
      };
      await this.store.createEntity(entity);
      return entity;
    }
    const patch: Parameters<GraphStore['updateEntity']>[2] = {};
    if (norm !== found.norm && !found.aliases.includes(norm)) {
      // The longer name is the more specific one ("Ada Lovelace" over "Ada"): it becomes the display name.
      if (norm.length > found.norm.length) {
        Object.assign(patch, { name: name.trim(), norm, aliases: [...found.aliases, found.norm] });
      } else patch.aliases = [...found.aliases, norm];
    }
    const provenance = [...new Set([...found.episodes, ...episodes])];
    if (provenance.length !== found.episodes.length) patch.episodes = provenance;
    if (wanted && found.type === UNKNOWN_TYPE) patch.type = wanted;
    await this.store.updateEntity(tenant, found.id, patch);
    return { ...found, ...patch };
  }

  /**
   * The existing entity a name refers to: exact name or alias first, then an entity whose name shares all the
   * words of the shorter one and whose embedding is close enough (MNEME_SEMANTIC_MERGE_THRESHOLD).
   */
  async match(
    tenant: string,
    norm: string,
    type: string | undefined,
    vector: Float32Array,
  ): Promise<EntityRecord | undefined> {
    const compatible = (e: EntityRecord) => !type || e.type === type || e.type === UNKNOWN_TYPE;
    const exact = (await this.store.entitiesNamed(tenant, norm)).find(compatible);
    if (exact) return exact;
    const candidates = new Map<string, EntityRecord>();
    for (const word of nameTokens(norm)) {
      for (const e of await this.store.entitiesContaining(tenant, word, CANDIDATES_PER_WORD)) {
        candidates.set(e.id, e);
      }
    }
    const threshold = this.mergeThreshold;
    return (
      [...candidates.values()]
        // An embedding of another width is from another model (a text-embedder change): never evidence.
        .filter((e) => compatible(e) && wordsContained(e.norm, norm) && e.embedding.length === vector.length)
        .map((e) => ({ e, similarity: cosine(vector, Float32Array.from(e.embedding)) }))
        .filter(({ similarity }) => similarity >= threshold)
        .sort((a, b) => b.similarity - a.similarity)[0]?.e
    );
  }
}
