import path from 'node:path';
import type { Env } from './env.schema.js';
import { TIER_DEFAULTS, detectHardware, tierOf, type Hardware, type HardwareTier } from './hardware.js';

/** One named model of MNEME_LLM_MODELS: a GGUF path, an `hf:` URI or URL to pull, or `remote`. */
export interface LlmModelEntry {
  name: string;
  source: string;
}

export interface LlmConfig {
  /** The machine as seen at start, and the tier whose defaults apply. */
  hardware: Hardware & { tier: HardwareTier };
  /** Path or `hf:` URI as configured; undefined means "discover" (models dir, then the bundled test model). */
  model: string | undefined;
  modelName: string | undefined;
  /** Further named models (MNEME_LLM_MODELS), served beside the default and every GGUF of the models dir. */
  models: LlmModelEntry[];
  modelsDir: string;
  threads: number;
  contextSize: number;
  parallel: number;
  queueLimit: number;
  maxTokens: number;
  systemPrompt: string;
  promptCache: PromptCacheConfig;
  /** An OpenAI-compatible server to generate with instead of (or beside) the in-process models. */
  remote: RemoteLlmConfig | undefined;
  /** RAM the loaded in-process models may hold together, by each GGUF's own estimate. */
  memoryBudgetBytes: number;
  /** Idle time after which a model is unloaded; negative: kept until the budget needs its room. */
  keepAliveMs: number;
  /** Tenants that may load and unload models for everyone (`*`: all). */
  adminTenants: readonly string[];
  /** Where `hf:` sources come from. */
  hub: { endpoint: string; token: string | undefined };
}

export interface PromptCacheConfig {
  enabled: boolean;
  /** Where sequence states are saved when another request takes their sequence. */
  dir: string;
  /** 0: no states on disk. */
  diskBytes: number;
}

export interface RemoteLlmConfig {
  /** Base URL, up to and including the version segment (http://host:8080/v1). */
  url: string;
  apiKey: string | undefined;
  /** The remote's model id; undefined means the first one its /models lists. */
  model: string | undefined;
  /** The remote model takes image parts: asks send their images to it. */
  vision: boolean;
}

const MB = 1024 * 1024;

export function llmConfigFrom(e: Env, dataDir: string, multiTenant: boolean): LlmConfig {
  const machine = detectHardware();
  const tier = e.MNEME_HARDWARE_TIER ?? tierOf(machine);
  const defaults = TIER_DEFAULTS[tier];
  return {
    hardware: { ...machine, tier },
    model: e.MNEME_LLM_MODEL,
    modelName: e.MNEME_LLM_MODEL_NAME,
    models: e.MNEME_LLM_MODELS ?? [],
    modelsDir: path.resolve(e.MNEME_MODELS_DIR),
    // One thread per available core: more threads than cores slows llama.cpp decoding sharply.
    threads: e.MNEME_LLM_THREADS ?? Math.max(1, machine.cores),
    contextSize: e.MNEME_LLM_CONTEXT_SIZE ?? defaults.contextSize,
    parallel: e.MNEME_LLM_PARALLEL ?? defaults.parallel,
    queueLimit: e.MNEME_LLM_QUEUE_LIMIT,
    maxTokens: e.MNEME_LLM_MAX_TOKENS,
    systemPrompt: e.MNEME_LLM_SYSTEM_PROMPT,
    promptCache: {
      enabled: e.MNEME_LLM_PROMPT_CACHE,
      dir: path.join(dataDir, 'prompt-cache'),
      diskBytes: e.MNEME_LLM_PROMPT_CACHE_DISK_MB * MB,
    },
    remote: e.MNEME_LLM_REMOTE_URL
      ? {
          url: e.MNEME_LLM_REMOTE_URL.replace(/\/+$/, ''),
          apiKey: e.MNEME_LLM_REMOTE_API_KEY,
          model: e.MNEME_LLM_REMOTE_MODEL,
          vision: e.MNEME_LLM_REMOTE_VISION,
        }
      : undefined,
    // The rest of the free memory is for the perception models, the memory stores and the requests themselves.
    memoryBudgetBytes:
      e.MNEME_LLM_MEMORY_BUDGET_MB === undefined
        ? Math.floor(machine.freeMemoryBytes * defaults.budgetShare)
        : e.MNEME_LLM_MEMORY_BUDGET_MB * MB,
    keepAliveMs: e.MNEME_LLM_KEEP_ALIVE_S < 0 ? -1 : e.MNEME_LLM_KEEP_ALIVE_S * 1000,
    // Without keys the one local user runs the server; with keys, loading is for the tenants named.
    adminTenants: e.MNEME_MODEL_ADMIN_TENANTS ?? (multiTenant ? [] : ['*']),
    hub: {
      endpoint: e.MNEME_HF_ENDPOINT.replace(/\/+$/, ''),
      token: e.MNEME_HF_TOKEN ?? process.env.HF_TOKEN,
    },
  };
}
