import { z } from 'zod';
import { commaList } from '../comma-list.js';
import { boolFlag, int, variableDocs } from './variable-kit.js';

const MODEL_NAME = /^[A-Za-z0-9._:/-]{1,128}$/;

/** `name=source,…`: names unique and plain, every source given. */
const namedModels = commaList().transform((items, ctx) => {
  const entries = items.map((item) => {
    const at = item.indexOf('=');
    return { name: item.slice(0, at).trim(), source: item.slice(at + 1).trim() };
  });
  for (const [i, { name, source }] of entries.entries()) {
    if (!MODEL_NAME.test(name) || source === '')
      ctx.addIssue({
        code: 'custom',
        message: `"${items[i]}" is not name=path-or-uri (name: letters, digits, . _ : / -)`,
      });
    else if (entries.findIndex((e) => e.name === name) !== i)
      ctx.addIssue({ code: 'custom', message: `model name "${name}" is given twice` });
  }
  return entries;
});

// The language model: which, how it runs, its prompt cache, or a remote one.

export const llm = {
  MNEME_MODELS_DIR: z.string().min(1).default('./models').register(variableDocs, {
    meaning: 'searched for a `.gguf` when `MNEME_LLM_MODEL` is unset; `hf:` pulls land here',
  }),
  MNEME_LLM_MODEL: z.string().min(1).optional().register(variableDocs, {
    meaning: 'a GGUF path, or an `hf:user/repo:quant` URI / URL pulled at start',
    default: 'first `.gguf` in the models dir, else the bundled test model',
  }),
  MNEME_HF_ENDPOINT: z
    .url()
    .refine((u) => /^https?:\/\//.test(u), 'must be an http:// or https:// URL')
    .default('https://huggingface.co')
    .register(variableDocs, {
      meaning:
        'the model hub `hf:` sources are pulled from (`mneme pull`, `MNEME_LLM_MODEL=hf:…`): a mirror keeps its layout',
    }),
  MNEME_HF_TOKEN: z.string().min(1).optional().register(variableDocs, {
    meaning: 'a hub token for gated repositories',
    default: '`HF_TOKEN` when set',
  }),
  MNEME_LLM_MODEL_NAME: z
    .string()
    .regex(MODEL_NAME, 'letters, digits and . _ : / - only')
    .optional()
    .register(variableDocs, {
      meaning: 'the name clients use in `model`',
      default: 'the file name without `.gguf`',
    }),
  MNEME_LLM_MODELS: namedModels.optional().register(variableDocs, {
    meaning:
      'more models by name, `name=source,…`; a source is a GGUF path, an `hf:` URI / URL pulled on first use, or ' +
      '`remote` (the `MNEME_LLM_REMOTE_URL` engine)',
    default: 'none; every `.gguf` of the models dir is served by its file name anyway',
    details:
      'The default model is `MNEME_LLM_MODEL`, else the first listed here, else the remote, else the first GGUF ' +
      'of the models dir. A path profile names its model (`MNEME_ROUTING_PATHS`, e.g. ' +
      '`{"fast":{"model":"qwen-0.5b"},"deep":{"model":"qwen-7b"}}`); `model` on a request picks any of them.',
  }),
  MNEME_LLM_MEMORY_BUDGET_MB: int(0, 1_073_741_824)
    .optional()
    .register(variableDocs, {
      meaning: 'RAM (MB) the loaded in-process models may hold together, by each GGUF’s own estimate',
      default:
        'by tier, a share of the memory free at start (bounded by a container’s limit): 60% low, 75% mid, 80% high',
      details:
        'A model is loaded on its first request; to make room the least recently used idle model is unloaded ' +
        '(never one with requests in flight). A model that cannot fit gets `MODEL_UNAVAILABLE` naming what it ' +
        'needs and what holds the room.',
    }),
  MNEME_LLM_KEEP_ALIVE_S: int(-1, 31_536_000)
    .default(-1)
    .register(variableDocs, {
      meaning:
        'seconds an idle model stays loaded; `-1` keeps it until the budget needs the room (`loadModel` sets ' +
        'it per model)',
    }),
  MNEME_MODEL_ADMIN_TENANTS: commaList().optional().register(variableDocs, {
    meaning: 'tenants that may `loadModel` / `unloadModel` for everyone, comma-separated (`*`: all)',
    default: 'all without API keys, none with',
  }),
  MNEME_LLM_THREADS: int(1, 256).optional().register(variableDocs, {
    meaning: 'llama.cpp threads (more than cores slows decoding sharply)',
    default: 'available cores',
  }),
  MNEME_HARDWARE_TIER: z.enum(['low', 'mid', 'high']).optional().register(variableDocs, {
    meaning: 'the tier whose defaults apply: context size, parallel sequences and model memory budget',
    default:
      'by memory: `low` under 8 GiB, `high` from 32 GiB, `mid` between (printed at start; `system` query)',
  }),
  MNEME_LLM_CONTEXT_SIZE: int(256, 1_048_576).optional().register(variableDocs, {
    meaning: "tokens per sequence (capped at the model's training context)",
    default: 'by tier: `2048` low, `4096` mid, `8192` high',
  }),
  MNEME_LLM_PARALLEL: int(1, 64).optional().register(variableDocs, {
    meaning: 'requests generated at once per model (context sequences)',
    default: 'by tier: `1` low, `2` mid, `4` high',
  }),
  MNEME_LLM_QUEUE_LIMIT: int(0, 10_000)
    .default(32)
    .register(variableDocs, { meaning: 'requests waiting for a slot before new ones get `OVERLOADED`' }),
  MNEME_LLM_MAX_TOKENS: int(1, 131_072)
    .default(512)
    .register(variableDocs, { meaning: 'new tokens when a request does not say' }),
  MNEME_LLM_PROMPT_CACHE: boolFlag.default(true).register(variableDocs, {
    meaning: "keep each sequence's evaluated tokens for the next request that shares their prefix",
    details:
      'A request goes to the free sequence holding the longest shared prefix of its prompt (its own ' +
      "session's, or at least the system prompt); only the rest is evaluated. Another tenant's tokens are " +
      "never reused past the server's system prompt. `false` evaluates every prompt from scratch.",
  }),
  MNEME_LLM_PROMPT_CACHE_DISK_MB: int(0, 1_048_576)
    .default(1024)
    .register(variableDocs, {
      meaning:
        'bytes (MB) of sequence states kept on disk under `<data dir>/prompt-cache` when another request takes ' +
        "a session's sequence; `0` keeps none",
      details:
        "Restored on the session's next turn when loading is faster than evaluating again; least recently " +
        "used out first. Keyed by model file, tenant and token prefix; `forget` deletes a session's states.",
    }),
  MNEME_LLM_REMOTE_URL: z
    .url()
    .refine(
      (u) => /^https?:\/\//.test(u),
      'must be an http:// or https:// URL (the base, e.g. http://host:8080/v1)',
    )
    .optional()
    .register(variableDocs, {
      meaning:
        'generate on an OpenAI-compatible server (vLLM, llama.cpp server, LocalAI, Ollama, another Mneme) ' +
        'instead of in process: its base URL up to `/v1`',
      details:
        'Streaming chat completions, the same slots/queue (`MNEME_LLM_PARALLEL`, `MNEME_LLM_QUEUE_LIMIT`), ' +
        'spans and error codes; the trace continues in the remote (`traceparent`). Unreachable: ' +
        '`MODEL_UNAVAILABLE` (503) per request and `/readyz` 503, the server keeps serving. Token counts for ' +
        "budgets are estimated (3 bytes/token) — set `MNEME_LLM_CONTEXT_SIZE` to the remote model's context.",
    }),
  MNEME_LLM_REMOTE_API_KEY: z
    .string()
    .min(1)
    .optional()
    .register(variableDocs, { meaning: 'Bearer key sent to the remote' }),
  MNEME_LLM_REMOTE_MODEL: z.string().min(1).max(256).optional().register(variableDocs, {
    meaning: 'the remote model id to use',
    default: 'the first model the remote lists',
  }),
  MNEME_LLM_REMOTE_VISION: boolFlag.default(false).register(variableDocs, {
    meaning: 'the remote model takes images (`image_url` parts): asks send their images to it',
    details:
      'Images go to the remote as downscaled JPEG (≤1024 px) and `perception.imageAnswering` says ' +
      '`VISION_LLM`; otherwise closed questions about images are answered by scoring candidate answers ' +
      '(`CANDIDATE_SCORING`).',
  }),
  MNEME_LLM_SYSTEM_PROMPT: z
    .string()
    .default('You are Mneme, a helpful assistant. Answer concisely.')
    .register(variableDocs, { meaning: 'prepended unless the caller sends a system message' }),
};
