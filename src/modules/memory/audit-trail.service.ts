import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { CallContext } from '../../common/call-context.js';
import { GraphStore, type AuditAction, type AuditRecord } from './semantic/graph-store.js';

/** How much one forget or correction touched, per kind; what is not given is 0. */
export interface AuditCounts {
  episodes?: number;
  facts?: number;
  entities?: number;
}

/**
 * The tenant's record of forgets and corrections: what was acted on (ids), when, by which key, and how much went
 * — never the forgotten content itself. Kept in the semantic graph, so a retraction or correction and its entry
 * commit in one transaction.
 */
@Injectable()
export class AuditTrail {
  constructor(private readonly store: GraphStore) {}

  record(
    action: AuditAction,
    target: string,
    counts: AuditCounts,
    ctx: CallContext,
    result: string | null = null,
  ): Promise<void> {
    return this.store.recordAudit({
      id: randomUUID(),
      tenant: ctx.tenant,
      at: Date.now(),
      action,
      target,
      result,
      actor: ctx.actor ?? 'server',
      episodes: counts.episodes ?? 0,
      facts: counts.facts ?? 0,
      entities: counts.entities ?? 0,
    });
  }

  /** Newest first; `before` (epoch ms) pages back. */
  list(first: number, before: number | undefined, ctx: CallContext): Promise<AuditRecord[]> {
    return this.store.auditTrail(ctx.tenant, first, before);
  }
}
