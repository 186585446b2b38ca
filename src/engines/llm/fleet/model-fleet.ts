import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { CallContext } from '../../../common/call-context.js';
import { ErrorCode } from '../../../common/error-codes.js';
import { MnemeError } from '../../../common/mneme-error.js';
import type { LlmConfig } from '../../../config/app-config.js';
import {
  LlmEngine,
  type CacheScope,
  type EngineStats,
  type GenerateRequest,
  type GenerationEvent,
  type ModelInfo,
  type PrefillRequest,
} from '../llm-engine.js';
import type { MeteredEngine } from '../metered-engine.js';
import type { ModelSpec, ServedModels } from '../model-locator.js';
import { FleetMember } from './fleet-member.js';
import { planRoom } from './room-plan.js';

export type EngineFactory = (spec: ModelSpec) => MeteredEngine;

/**
 * Every served model behind the one LlmEngine port: a request goes to the model it names (the default when it
 * names none), which is loaded on demand within the memory budget — the least recently used idle models are
 * unloaded to make room, a model serving requests never is, and a model that cannot fit is refused with
 * MODEL_UNAVAILABLE before anything is allocated. Idle models are unloaded after their keep-alive.
 */
export class ModelFleet extends LlmEngine implements OnApplicationShutdown {
  private readonly logger = new Logger('ModelFleet');
  private readonly members: FleetMember[];
  private readonly defaultName: string;
  // Loads (and the unloads that make room for them) one at a time: each plan sees the last one's outcome.
  private loadQueue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly config: LlmConfig,
    served: ServedModels,
    build: EngineFactory,
  ) {
    super();
    this.members = served.specs.map((spec) => new FleetMember(spec, build(spec), config.keepAliveMs));
    this.defaultName = served.defaultName;
  }

  async *generate(request: GenerateRequest, ctx: CallContext): AsyncIterable<GenerationEvent> {
    const member = this.memberFor(request.model);
    const release = member.begin((m) => void this.unloadIdle(m));
    try {
      await this.ensureLoaded(member);
      for await (const event of member.engine.generate({ ...request, model: undefined }, ctx)) {
        if (event.type === 'token') yield event;
        else {
          member.usage.record(event.result);
          yield { type: 'done', result: { ...event.result, model: member.name } };
        }
      }
    } finally {
      release();
    }
  }

  /** Loads the default model (the server is ready when it is), then reads the others' estimates in the background. */
  async load(): Promise<void> {
    const { hardware: h, threads, parallel, contextSize, memoryBudgetBytes } = this.config;
    this.logger.log(
      `Hardware tier ${h.tier} (${h.cores} cores, ${gib(h.memoryBytes)} RAM, ${gib(h.freeMemoryBytes)} free): ` +
        `${threads} threads, ${parallel} parallel × ${contextSize} tokens per model, LLM budget ` +
        `${gib(memoryBudgetBytes)}. Serving ${this.members.map((m) => m.name).join(', ')} (default ${this.defaultName}).`,
    );
    await this.loadModel(this.defaultName);
    void this.estimateAll();
  }

  /** Loads a model now (making room as a request would); `keepAliveSeconds` sets how long it may idle. */
  override async loadModel(name: string, keepAliveSeconds?: number): Promise<ModelInfo> {
    const member = this.memberFor(name);
    if (keepAliveSeconds !== undefined)
      member.keepAliveMs = keepAliveSeconds < 0 ? -1 : keepAliveSeconds * 1000;
    const release = member.begin((m) => void this.unloadIdle(m));
    try {
      await this.ensureLoaded(member, true);
    } finally {
      release();
    }
    return this.describe(member);
  }

  /** Unloads a model at once; refused while it serves requests (they would be cut off). */
  override async unloadModel(name: string): Promise<ModelInfo> {
    const member = this.memberFor(name);
    if (member.inFlight > 0) {
      throw new MnemeError(
        ErrorCode.BAD_REQUEST,
        `Model ${member.name} is serving ${member.inFlight} request(s); unload it when they finish.`,
      );
    }
    await this.exclusive(() => this.unloadMember(member, 'on request'));
    return this.describe(member);
  }

  private memberFor(requested: string | undefined): FleetMember {
    const name = requested === undefined || requested === 'default' ? this.defaultName : requested;
    const member = this.members.find((m) => m.answersTo(name));
    if (member) return member;
    throw new MnemeError(
      ErrorCode.MODEL_NOT_FOUND,
      `Unknown model "${requested}". Served models: ${[...this.members.map((m) => m.name), 'default'].join(', ')}.`,
    );
  }

  /**
   * Loads an in-process model under the budget. A remote has nothing to load: it answers for its own reachability
   * per request (MODEL_UNAVAILABLE, fast), so only an explicit load asks it to list its models again.
   */
  private async ensureLoaded(member: FleetMember, explicit = false): Promise<void> {
    if (member.loaded || (member.spec.engine === 'remote' && !explicit)) return;
    await this.exclusive(async () => {
      if (member.loaded) return;
      await this.makeRoom(member);
      const started = performance.now();
      try {
        await member.engine.load();
      } catch (error) {
        throw new MnemeError(
          ErrorCode.MODEL_UNAVAILABLE,
          `Model ${member.name} could not be loaded: ${(error as Error).message}`,
        );
      }
      if (member.info.state !== 'ready') return; // an unreachable remote says why per request
      member.loadMs = performance.now() - started;
      member.loadedAt = Date.now();
    });
  }

  /** Unloads as few idle models as the budget needs for `member`, or refuses it before anything is freed. */
  private async makeRoom(member: FleetMember): Promise<void> {
    const bytes = await this.estimate(member);
    const residents = this.members
      .filter((m) => m !== member && m.info.state === 'ready' && (m.estimateBytes ?? 0) > 0)
      .map((m) => ({
        name: m.name,
        bytes: m.estimateBytes!,
        busy: m.inFlight > 0,
        lastUsedAt: m.lastUsedAt,
      }));
    const plan = planRoom(this.config.memoryBudgetBytes, residents, member.name, bytes);
    if (!plan.fits) throw new MnemeError(ErrorCode.MODEL_UNAVAILABLE, plan.reason, { retryAfterSeconds: 5 });
    const victims = this.members.filter((m) => plan.unload.includes(m.name));
    for (const victim of victims) victim.evicting = true; // before any await: no new request starts on it
    for (const victim of victims) await this.unloadMember(victim, `to make room for ${member.name}`);
  }

  private async estimate(member: FleetMember): Promise<number> {
    try {
      member.estimateBytes ??= await member.engine.memoryEstimate();
      return member.estimateBytes;
    } catch (error) {
      throw new MnemeError(
        ErrorCode.MODEL_UNAVAILABLE,
        `Model ${member.name} could not be read: ${(error as Error).message}`,
      );
    }
  }

  private async unloadMember(member: FleetMember, why: string): Promise<void> {
    member.stopTimer();
    if (member.info.state === 'ready') {
      await member.engine.unload();
      this.logger.log(`Unloaded ${member.name} ${why}`);
    }
    member.evicting = false;
  }

  private async unloadIdle(member: FleetMember): Promise<void> {
    await this.exclusive(async () => {
      if (member.inFlight === 0) await this.unloadMember(member, `after ${member.keepAliveMs / 1000} s idle`);
    }).catch((error: unknown) => this.logger.warn(`Idle unload of ${member.name} failed: ${String(error)}`));
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.loadQueue.then(work, work);
    this.loadQueue = run.catch(() => undefined);
    return run;
  }

  private async estimateAll(): Promise<void> {
    for (const member of this.members) await this.estimate(member).catch(() => undefined);
  }

  override async prefill(request: PrefillRequest, ctx: CallContext): Promise<void> {
    const wanted =
      request.model === undefined || request.model === 'default' ? this.defaultName : request.model;
    const member = this.members.find((m) => m.answersTo(wanted));
    if (!member?.loaded) return; // a prefill never loads a model
    await member.engine.prefill({ ...request, model: undefined }, ctx);
  }

  async countTokens(text: string, model?: string): Promise<number> {
    const member = this.memberFor(model);
    const release = member.begin((m) => void this.unloadIdle(m));
    try {
      await this.ensureLoaded(member);
      return await member.engine.countTokens(text);
    } finally {
      release();
    }
  }

  acceptsImages(model?: string): boolean {
    return this.memberFor(model).engine.acceptsImages();
  }

  /** False for a name the fleet does not serve: a capability question, not a request. */
  override scoresTokens(model?: string): boolean {
    const name = model === undefined || model === 'default' ? this.defaultName : model;
    return this.members.find((m) => m.answersTo(name))?.engine.scoresTokens() ?? false;
  }

  async forgetCached(scope: CacheScope): Promise<number> {
    const counts = await Promise.all(this.members.map((m) => m.engine.forgetCached(scope)));
    return counts.reduce((a, b) => a + b, 0);
  }

  async drain(graceMs: number): Promise<void> {
    await Promise.all(this.members.map((m) => m.engine.drain(graceMs)));
  }

  async unload(): Promise<void> {
    for (const member of this.members) member.stopTimer();
    await Promise.all(this.members.map((m) => m.engine.unload()));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.drain(0);
    await this.unload();
  }

  models(): ModelInfo[] {
    return this.members.map((m) => this.describe(m));
  }

  private describe(member: FleetMember): ModelInfo {
    const { usage } = member;
    return {
      ...member.info,
      name: member.name,
      isDefault: member.spec.name === this.defaultName,
      ...defined({
        memoryEstimateBytes: member.estimateBytes,
        memoryBytes: member.info.state === 'ready' ? member.engine.memoryInUse() : undefined,
        loadedAt: member.loadedAt,
        lastUsedAt: member.lastUsedAt || undefined,
        loadMs: member.loadMs,
        ttftP50Ms: usage.ttftP50Ms,
        decodeTokensPerSecondP50: usage.decodeTokensPerSecondP50,
      }),
      requests: usage.requests,
      keepAliveSeconds: member.keepAliveMs < 0 ? -1 : member.keepAliveMs / 1000,
    };
  }

  stats(): EngineStats {
    const all = this.members.map((m) => m.engine.stats());
    const sum = (key: keyof EngineStats) => all.reduce((total, s) => total + s[key], 0);
    return {
      active: sum('active'),
      queued: sum('queued'),
      completed: sum('completed'),
      failed: sum('failed'),
      cancelled: sum('cancelled'),
    };
  }
}

function gib(bytes: number): string {
  return bytes < 1024 ** 3 ? `${Math.round(bytes / 1024 ** 2)} MiB` : `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
}

/** The entries whose value is set (exactOptionalPropertyTypes: an optional field is absent, not undefined). */
function defined<T extends Record<string, number | undefined>>(fields: T): Partial<Record<keyof T, number>> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<
    Record<keyof T, number>
  >;
}
