import { Args, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { CallContext } from '../../common/call-context.js';
import { ErrorCode } from '../../common/error-codes.js';
import { assertModelAdmin } from '../../common/model-admins.js';
import { MnemeError } from '../../common/mneme-error.js';
import { ModelCatalog, type CatalogEntry } from '../../common/model-catalog.js';
import { AppConfig } from '../../config/app-config.js';
import { LlmEngine, type ModelInfo } from '../../engines/llm/llm-engine.js';
import { Caller } from '../../graphql/caller.decorator.js';
import { enumValue } from '../../graphql/enum-value.js';
import { COST, Cost } from '../../graphql/query-cost.js';
import { Model, type ModelKindGql, type ModelStateGql } from './models/model.model.js';

@Resolver(() => Model)
export class ModelsResolver {
  constructor(
    private readonly catalog: ModelCatalog,
    private readonly engine: LlmEngine,
    private readonly config: AppConfig,
  ) {}

  @Query(() => [Model], {
    description: 'Every model this server serves, with its state and, for LLMs, its use.',
  })
  models(): Model[] {
    return this.catalog.list().map(toModel);
  }

  @Mutation(() => Model, {
    description:
      'Loads a language model now (unloading idle ones the memory budget needs); `keepAliveSeconds` sets how ' +
      'long it may stay idle (-1: until the budget needs its room). For tenants in MNEME_MODEL_ADMIN_TENANTS.',
  })
  @Cost(COST.generation, { perRequest: 1 })
  async loadModel(
    @Args('name') name: string,
    @Args('keepAliveSeconds', { type: () => Int, nullable: true }) keepAliveSeconds: number | null,
    @Caller() caller: CallContext,
  ): Promise<Model> {
    this.assertAdmin(caller, 'load');
    assertModelName(name);
    if (keepAliveSeconds !== null && (keepAliveSeconds < -1 || keepAliveSeconds > 31_536_000))
      throw new MnemeError(ErrorCode.BAD_REQUEST, 'keepAliveSeconds must be -1 or 0 to 31536000.');
    return toModel(llmEntry(await this.engine.loadModel(name, keepAliveSeconds ?? undefined)));
  }

  @Mutation(() => Model, {
    description: 'Unloads an idle language model; refused while it serves requests. For model admins.',
  })
  @Cost(COST.write, { perRequest: 1 })
  async unloadModel(@Args('name') name: string, @Caller() caller: CallContext): Promise<Model> {
    this.assertAdmin(caller, 'unload');
    assertModelName(name);
    return toModel(llmEntry(await this.engine.unloadModel(name)));
  }

  private assertAdmin(caller: CallContext, verb: string): void {
    assertModelAdmin(this.config.llm.adminTenants, caller, `${verb} models`);
  }
}

function assertModelName(name: string): void {
  if (name.trim() === '' || name.length > 128)
    throw new MnemeError(
      ErrorCode.BAD_REQUEST,
      'name must be a served model’s name (1–128 characters; see `models`).',
    );
}

function llmEntry(info: ModelInfo): CatalogEntry {
  return { ...info, kind: 'llm' };
}

function toModel(m: CatalogEntry): Model {
  const date = (ms: number | undefined) => (ms === undefined ? null : new Date(ms));
  return {
    name: m.name,
    kind: enumValue<ModelKindGql>(m.kind),
    state: enumValue<ModelStateGql>(m.state),
    contextSize: m.contextSize ?? null,
    parallel: m.parallel ?? null,
    testModel: m.testModel,
    error: m.error ?? null,
    isDefault: m.isDefault ?? false,
    diskBytes: m.diskBytes ?? null,
    memoryEstimateBytes: m.memoryEstimateBytes ?? null,
    memoryBytes: m.memoryBytes ?? null,
    loadedAt: date(m.loadedAt),
    lastUsedAt: date(m.lastUsedAt),
    loadMs: m.loadMs ?? null,
    requests: m.requests ?? null,
    ttftP50Ms: m.ttftP50Ms ?? null,
    decodeTokensPerSecondP50: m.decodeTokensPerSecondP50 ?? null,
    keepAliveSeconds: m.keepAliveSeconds ?? null,
  };
}
