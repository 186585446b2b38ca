import type { AuditRecord, EntityRecord, FactView } from './semantic/graph-store.js';
import { AuditActionGql, AuditEntryGql } from './models/audit.model.js';
import { EntityGql, FactGql, FactRetirementGql } from './models/semantic.model.js';

// Semantic records as the GraphQL API shows them.

export function toEntity(e: EntityRecord): EntityGql {
  return {
    id: e.id,
    name: e.name,
    type: e.type,
    aliases: e.aliases,
    summary: e.summary,
    episodes: e.episodes,
    createdAt: new Date(e.createdAt),
  };
}

export function toFact(f: FactView): FactGql {
  return {
    id: f.id,
    subjectId: f.subjectId,
    subject: f.subject,
    predicate: f.predicate,
    objectId: f.objectId,
    object: f.object,
    validFrom: new Date(f.validFrom),
    validTo: f.validTo === null ? null : new Date(f.validTo),
    createdAt: new Date(f.createdAt),
    expiredAt: f.expiredAt === null ? null : new Date(f.expiredAt),
    confidence: f.confidence,
    episodes: f.episodes,
    lineage: f.lineage,
    // The enum's values are the stored words.
    retiredBy: f.retiredBy as FactRetirementGql | null,
    retiredReason: f.retiredReason,
    supersededBy: f.supersededBy,
  };
}

export function toAuditEntry(a: AuditRecord): AuditEntryGql {
  return {
    id: a.id,
    at: new Date(a.at),
    // The enum's values are the stored words.
    action: a.action as AuditActionGql,
    target: a.target,
    result: a.result,
    actor: a.actor,
    episodes: a.episodes,
    facts: a.facts,
    entities: a.entities,
  };
}
