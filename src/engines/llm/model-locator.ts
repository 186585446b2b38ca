import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../common/package-root.js';
import type { LlmConfig } from '../../config/app-config.js';

export interface LocatedModel {
  path: string;
  /** What the user configured (path or URI), or how the model was found. */
  source: string;
  name: string;
  /** The bundled random-weight model: it loads and runs, but its answers are noise. */
  testModel: boolean;
}

export type ModelPuller = (uri: string, directory: string) => Promise<string>;

export const BUNDLED_TEST_MODEL = 'test/fixtures/models/tiny-llama/tiny-llama.gguf';
const REMOTE = /^(hf:|https?:\/\/)/;

/**
 * Picks the GGUF to serve: MNEME_LLM_MODEL (a path, or an `hf:` URI pulled into the models dir), else the first
 * .gguf in the models dir, else the bundled test model. Throws with an actionable message when nothing fits.
 */
export async function locateModel(config: LlmConfig, pull: ModelPuller): Promise<LocatedModel> {
  const name = (file: string) => config.modelName ?? path.basename(file).replace(/\.gguf$/i, '');
  if (config.model && REMOTE.test(config.model)) {
    let file: string;
    try {
      file = await pull(config.model, config.modelsDir);
    } catch (error) {
      throw new Error(
        `Could not pull ${config.model} into ${config.modelsDir}: ${(error as Error).message}. ` +
          'Without network access, download the .gguf elsewhere, put it into the models dir and unset MNEME_LLM_MODEL.',
        { cause: error },
      );
    }
    return { path: file, source: config.model, name: name(file), testModel: false };
  }
  if (config.model) {
    const file = path.resolve(config.model);
    if (!existsSync(file) || !statSync(file).isFile()) {
      throw new Error(
        `MNEME_LLM_MODEL points to ${file}, which is not a file. Give the path of a .gguf model.`,
      );
    }
    return { path: file, source: config.model, name: name(file), testModel: false };
  }
  const found = firstGguf(config.modelsDir);
  if (found) return { path: found, source: found, name: name(found), testModel: false };
  const bundled = path.join(packageRoot(), BUNDLED_TEST_MODEL);
  return { path: bundled, source: bundled, name: config.modelName ?? 'mneme-test-model', testModel: true };
}

function firstGguf(dir: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  const files = readdirSync(dir)
    .filter((f) => f.toLowerCase().endsWith('.gguf'))
    .sort();
  return files[0] === undefined ? undefined : path.join(dir, files[0]);
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
