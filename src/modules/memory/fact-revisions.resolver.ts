import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { CallContext } from '../../common/call-context.js';
import { Caller } from '../../graphql/caller.decorator.js';
import { COST, Cost, perItem } from '../../graphql/query-cost.js';
import { AuditTrail } from './audit-trail.service.js';
import { AuditArgs, FactCorrectionInput, FactIdArgs, RetractFactArgs } from './dto/fact-revision.args.js';
import { AuditEntryGql } from './models/audit.model.js';
import { CorrectedFact, FactGql, FactHistoryGql } from './models/semantic.model.js';
import { toAuditEntry, toFact } from './semantic.mapper.js';
import { FactRevisions } from './semantic/fact-revisions.service.js';

/** One fact by id with its history, retraction and correction, and the audit trail of such changes. */
@Resolver()
export class FactRevisionsResolver {
  constructor(
    private readonly facts: FactRevisions,
    private readonly audit: AuditTrail,
  ) {}

  @Query(() => FactHistoryGql, {
    description: 'One of your facts by id with every version of it; NOT_FOUND for any other.',
  })
  @Cost(COST.search)
  async fact(@Args() { id }: FactIdArgs, @Caller() caller: CallContext): Promise<FactHistoryGql> {
    const { fact, history } = await this.facts.history(id, caller);
    return { fact: toFact(fact), history: history.map(toFact) };
  }

  @Mutation(() => FactGql, {
    description:
      'Say a current fact is wrong: it is retired now with the reason, kept in its history (CONFLICT if retired).',
  })
  @Cost(COST.write)
  async retractFact(@Args() args: RetractFactArgs, @Caller() caller: CallContext): Promise<FactGql> {
    return toFact(await this.facts.retract(args.id, args.reason, caller));
  }

  @Mutation(() => CorrectedFact, {
    description: 'Retire a current fact and learn what is true instead, in one transaction.',
  })
  @Cost(COST.write, { perRequest: 16 })
  async correctFact(
    @Args() { id }: FactIdArgs,
    @Args('input') input: FactCorrectionInput,
    @Caller() caller: CallContext,
  ): Promise<CorrectedFact> {
    const { reason, validFrom, ...change } = input;
    const corrected = await this.facts.correct(
      id,
      { ...change, ...(validFrom instanceof Date && { validFrom: validFrom.getTime() }) },
      reason,
      caller,
    );
    return { retired: toFact(corrected.retired), fact: toFact(corrected.fact) };
  }

  @Query(() => [AuditEntryGql], {
    description: 'Your forgets and corrections, newest first: ids, counts and keys, never forgotten content.',
  })
  @Cost(perItem(COST.search))
  async memoryAudit(@Args() args: AuditArgs, @Caller() caller: CallContext): Promise<AuditEntryGql[]> {
    return (await this.audit.list(args.first, args.before?.getTime(), caller)).map(toAuditEntry);
  }
}
