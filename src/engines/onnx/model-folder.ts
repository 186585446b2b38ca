import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../common/package-root.js';

export interface ModelFolder {
  folder: string;
  name: string;
  testModel: boolean;
}

/**
 * Picks a transformers.js model folder: the configured one, else `<modelsDir>/<conventional>`, else the bundled
 * random-weight fixture. A configured folder that is missing is an error, not a silent fallback.
 */
export function locateModelFolder(
  configured: string | undefined,
  modelsDir: string,
  conventional: string,
  bundled: string,
  variable: string,
): ModelFolder {
  if (configured) {
    const folder = path.resolve(configured);
    if (!existsSync(path.join(folder, 'config.json'))) {
      throw new Error(
        `${variable} points to ${folder}, which has no config.json: give a transformers.js model folder.`,
      );
    }
    return { folder, name: path.basename(folder), testModel: false };
  }
  const conventionalFolder = path.join(modelsDir, conventional);
  if (existsSync(conventionalFolder) && statSync(conventionalFolder).isDirectory()) {
    return { folder: conventionalFolder, name: conventional, testModel: false };
  }
  return { folder: path.join(packageRoot(), bundled), name: path.basename(bundled), testModel: true };
}

/** Reads a JSON file of a model folder (config.json, preprocessor_config.json). */
export function readModelJson<T>(folder: string, file: string): T {
  return JSON.parse(readFileSync(path.join(folder, file), 'utf8')) as T;
}
