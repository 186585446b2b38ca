import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../common/package-root.js';
import type { LlmConfig } from '../../config/app-config.js';

/** One model the server serves under a name, loaded on demand. */
export interface ModelSpec {
  name: string;
  /** What the user configured (path or URI), where it was found, or the remote's URL. */
  source: string;
  engine: 'llama.cpp' | 'remote';
  /** The bundled random-weight model: it loads and runs, but its answers are noise. */
  testModel: boolean;
  /** A remote with no configured name: it is known by the first model the remote lists. */
  listedName?: boolean;
}

export interface ServedModels {
  specs: ModelSpec[];
  /** The model requests without one (or naming `default`) get. */
  defaultName: string;
}

export type ModelPuller = (uri: string, directory: string) => Promise<string>;

export const BUNDLED_TEST_MODEL = 'test/fixtures/models/tiny-llama/tiny-llama.gguf';
export const REMOTE_SOURCE = 'remote';
const PULLED = /^(hf:|https?:\/\/)/;

/**
 * Every model to serve, in order: the remote engine unless MNEME_LLM_MODELS names it (`name=remote`),
 * MNEME_LLM_MODEL, MNEME_LLM_MODELS, each `.gguf` of the models dir by file name — the first is the default; with none, the bundled test model. Names are unique: a
 * later source under a taken name (or a file already listed) is left out.
 */
export function servedModels(config: LlmConfig): ServedModels {
  const specs: ModelSpec[] = [];
  const add = (spec: ModelSpec) => {
    if (
      !specs.some(
        (s) => s.name === spec.name || (s.engine === 'llama.cpp' && sameFile(s.source, spec.source)),
      )
    )
      specs.push(spec);
  };
  // A remote no entry names is where the user said to generate: it comes first, as the default.
  if (config.remote && !config.models.some((m) => m.source === REMOTE_SOURCE))
    add({ ...remote(config, config.remote.model ?? REMOTE_SOURCE), listedName: !config.remote.model });
  if (config.model) add(local(config.modelName ?? nameOf(config.model), config.model));
  for (const { name, source } of config.models) {
    if (source === REMOTE_SOURCE) add(remote(config, name));
    else add(local(name, source));
  }
  for (const file of ggufFiles(config.modelsDir)) add(local(nameOf(file), file));
  if (specs.length === 0) {
    const bundled = path.join(packageRoot(), BUNDLED_TEST_MODEL);
    specs.push({ ...local(config.modelName ?? 'mneme-test-model', bundled), testModel: true });
  }
  return { specs, defaultName: specs[0]!.name };
}

/** The first in-process model of the served list (the bundled test model when none is configured). */
export function firstLocalModel(config: LlmConfig): ModelSpec {
  const local = servedModels(config).specs.filter((s) => s.engine === 'llama.cpp');
  return local[0] ?? servedModels({ ...config, remote: undefined, models: [] }).specs[0]!;
}

/**
 * The GGUF file of a local model: its path, or the file an `hf:` URI / URL is pulled to in the models dir.
 * Throws with an actionable message when there is none.
 */
export async function modelFile(spec: ModelSpec, modelsDir: string, pull: ModelPuller): Promise<string> {
  if (PULLED.test(spec.source)) {
    try {
      return await pull(spec.source, modelsDir);
    } catch (error) {
      throw new Error(
        `Could not pull ${spec.source} into ${modelsDir}: ${(error as Error).message}. Without network access, ` +
          'download the .gguf elsewhere and put it into the models dir (it is served by its file name).',
        { cause: error },
      );
    }
  }
  const file = path.resolve(spec.source);
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new Error(
      `Model ${spec.name} points to ${file}, which is not a file. Give the path of a .gguf model.`,
    );
  }
  return file;
}

function local(name: string, source: string): ModelSpec {
  return {
    name,
    source: PULLED.test(source) ? source : path.resolve(source),
    engine: 'llama.cpp',
    testModel: false,
  };
}

function remote(config: LlmConfig, name: string): ModelSpec {
  return { name, source: config.remote?.url ?? REMOTE_SOURCE, engine: 'remote', testModel: false };
}

/**
 * A name from a path or URI, as its file would be called: `dir/Qwen2.5-1.5B.Q4.gguf` → `Qwen2.5-1.5B.Q4`,
 * `hf:bartowski/Qwen2.5-1.5B-Instruct-GGUF:Q4_K_M` → `Qwen2.5-1.5B-Instruct-Q4_K_M`.
 */
export function nameOf(source: string): string {
  const hf = /^hf:[^/]+\/([^:/]+)(?::([^/]+))?/.exec(source);
  if (hf) return [hf[1]!.replace(/-GGUF$/i, ''), hf[2]].filter(Boolean).join('-');
  return path.basename(source.split(/[?#]/)[0]!).replace(/\.gguf$/i, '');
}

function sameFile(a: string, b: string): boolean {
  return !PULLED.test(a) && path.resolve(a) === path.resolve(b);
}

function ggufFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.toLowerCase().endsWith('.gguf'))
    .sort()
    .map((f) => path.join(dir, f));
}

export const TEST_MODEL_WARNING = [
  '',
  '  ******************************************************************************************',
  '  *  NO MODEL CONFIGURED: serving the bundled random-weight TEST model. Answers are NOISE.   *',
  '  *  Put a chat .gguf into ./models (or MNEME_MODELS_DIR), or set MNEME_LLM_MODEL to a .gguf  *',
  '  *  path or an hf: URI (e.g. hf:bartowski/Qwen2.5-1.5B-Instruct-GGUF:Q4_K_M), then restart. *',
  '  ******************************************************************************************',
  '',
].join('\n');
