/** An entity as the semantic tier stores it. Names are matched on their normalized form (see entity-names). */
export interface EntityRecord {
  id: string;
  tenant: string;
  name: string;
  /** Normalized name and aliases: what exact lookups compare. */
  norm: string;
  type: string;
  aliases: string[];
  /** Text embedding of the name (normalized); empty when unknown. */
  embedding: number[];
  summary: string;
  /** Episodes it was learned from; empty for entities stated directly (addFact). */
  episodes: string[];
  createdAt: number;
}

/**
 * A bi-temporal fact: subject —predicate→ object, true in the world from validFrom until validTo (null: still),
 * known to Mneme from createdAt until expiredAt (null: current knowledge). Retiring never deletes: it expires.
 */
export interface FactRecord {
  id: string;
  tenant: string;
  subjectId: string;
  predicate: string;
  objectId: string;
  validFrom: number;
  validTo: number | null;
  createdAt: number;
  expiredAt: number | null;
  confidence: number;
  episodes: string[];
  /** The first version's id: a fact's closed copies, corrections and the facts that contradicted it share it. */
  lineage: string;
  /** Why it left current knowledge; null while current (and for facts retired before history was kept). */
  retiredBy: FactRetirement | null;
  /** The caller's reason for a retraction or correction. */
  retiredReason: string | null;
  /** The fact that took its place (a contradiction or a correction). */
  supersededBy: string | null;
}

type History = Pick<FactRecord, 'lineage' | 'retiredBy' | 'retiredReason' | 'supersededBy'>;

/** The history fields of a fact that begins its own lineage and is current. */
export const firstVersion = (id: string): History => ({
  lineage: id,
  retiredBy: null,
  retiredReason: null,
  supersededBy: null,
});

/** contradicted: a newer fact said otherwise; retracted: a caller said it was wrong; corrected: and what is. */
export type FactRetirement = 'contradicted' | 'retracted' | 'corrected';

/** The fields updateFact may change. */
export type FactPatch = Partial<
  Pick<FactRecord, 'expiredAt' | 'confidence' | 'episodes' | 'retiredBy' | 'retiredReason' | 'supersededBy'>
>;

/**
 * One forget or correction, as the tenant's audit trail keeps it: what was acted on (ids only, never the
 * forgotten content), when, by which API key, and how much went.
 */
export interface AuditRecord {
  id: string;
  tenant: string;
  at: number;
  action: AuditAction;
  /** The id acted on: an episode, a session, a fact, or "*" for everything. */
  target: string;
  /** The id of what replaced it (a correction's new fact), or null. */
  result: string | null;
  /** A fingerprint of the API key that asked ("local" on a keyless server). */
  actor: string;
  episodes: number;
  facts: number;
  entities: number;
}

export type AuditAction =
  | 'forget-episode'
  | 'forget-session'
  | 'forget-everything'
  | 'forget-fact'
  | 'retract-fact'
  | 'correct-fact'
  | 'update-episode'
  | 'import-memory';

/** A fact with its endpoints' names, as queries return it. */
export interface FactView extends FactRecord {
  subject: string;
  object: string;
}

/** Which facts a point-in-time query wants: true in the world at `validAt`, as known at `knownAt`. */
export interface FactWindow {
  validAt: number;
  knownAt: number;
}

export interface Neighbor {
  entity: EntityRecord;
  hops: number;
}

export interface ForgetCount {
  facts: number;
  entities: number;
}

/**
 * The semantic tier's storage port. Every method takes the tenant and never reads or writes another's rows;
 * every query is parameterized (no values spliced into Cypher). Backends: kuzu (embedded), Neo4j.
 */
export abstract class GraphStore {
  abstract readonly backend: string;
  abstract init(): Promise<void>;
  abstract close(): Promise<void>;
  /** Runs `fn` (which calls this store) as one transaction: all of its writes land, or none. */
  abstract atomically<T>(fn: () => Promise<T>): Promise<T>;

  abstract createEntity(entity: EntityRecord): Promise<void>;
  abstract updateEntity(
    tenant: string,
    id: string,
    patch: Partial<
      Pick<EntityRecord, 'name' | 'norm' | 'type' | 'aliases' | 'episodes' | 'summary' | 'embedding'>
    >,
  ): Promise<void>;
  abstract entity(tenant: string, id: string): Promise<EntityRecord | undefined>;
  /** Entities whose normalized name or an alias equals `norm`. */
  abstract entitiesNamed(tenant: string, norm: string): Promise<EntityRecord[]>;
  /** Entities named (or aliased) by any of `norms`, in one lookup: how a request's mentions are found. */
  abstract entitiesNamedAny(tenant: string, norms: string[]): Promise<EntityRecord[]>;
  /** Entities whose normalized name contains `token` (resolution candidates). */
  abstract entitiesContaining(tenant: string, token: string, limit: number): Promise<EntityRecord[]>;

  abstract addFact(fact: FactRecord): Promise<void>;
  abstract updateFact(tenant: string, id: string, patch: FactPatch): Promise<void>;
  /** One fact of the tenant, whatever its time. */
  abstract fact(tenant: string, id: string): Promise<FactView | undefined>;
  /** Every version of a lineage (see FactRecord.lineage), oldest known first. */
  abstract lineage(tenant: string, lineage: string): Promise<FactView[]>;
  /**
   * Deletes these facts, then their endpoints left with no fact and no episode (their names go too): forgetting
   * a fact's versions leaves nothing of them behind.
   */
  abstract forgetFacts(tenant: string, ids: string[]): Promise<ForgetCount>;
  /** Facts of a subject and predicate that are current knowledge (expiredAt null). */
  abstract currentFacts(tenant: string, subjectId: string, predicate: string): Promise<FactRecord[]>;
  /** Facts with the entity as subject or object, within the window, newest first. */
  abstract factsAbout(
    tenant: string,
    entityId: string,
    window: FactWindow,
    limit: number,
  ): Promise<FactView[]>;
  /** Entities within `hops` current facts of the entity (not itself), nearest first. */
  abstract neighborhood(
    tenant: string,
    entityId: string,
    hops: 1 | 2 | 3,
    limit: number,
  ): Promise<Neighbor[]>;

  /**
   * Removes the episodes from every fact's and entity's provenance; facts left with none (that had some) are
   * deleted, then entities left with none that no surviving fact uses.
   */
  abstract forgetEpisodes(tenant: string, episodeIds: string[]): Promise<ForgetCount>;
  /** Deletes the tenant's entities and facts; its audit trail stays (it holds no content). */
  abstract forgetTenant(tenant: string): Promise<ForgetCount>;
  abstract counts(tenant: string): Promise<ForgetCount>;
  /** Entities and facts of all tenants together: the operator's size gauge, never shown to a tenant. */
  abstract totals(): Promise<ForgetCount>;

  /**
   * Writes many new entities (with their name index) and facts as one transaction: for imports and benchmarks,
   * not for learning (no resolution, no reinforcement, no contradiction). Rows must be consistent: all of
   * `tenant`, entity ids new, and every fact between entities of this load or existing ones of the same tenant;
   * a load that breaks this writes nothing.
   */
  abstract bulkLoad(tenant: string, entities: EntityRecord[], facts: FactRecord[]): Promise<void>;

  /** The tenant's entities with ids after `afterId` (all when ''), by id: an export reads them a page at a time. */
  abstract entitiesPage(tenant: string, afterId: string, limit: number): Promise<EntityRecord[]>;
  /** The tenant's facts of every time with ids after `afterId`, by id. */
  abstract factsPage(tenant: string, afterId: string, limit: number): Promise<FactRecord[]>;

  abstract recordAudit(entry: AuditRecord): Promise<void>;
  /** The tenant's audit trail, newest first, before `before` (epoch ms) when given. */
  abstract auditTrail(tenant: string, first: number, before?: number): Promise<AuditRecord[]>;
}
