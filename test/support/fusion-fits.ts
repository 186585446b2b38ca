import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/app-config.js';
import { fitToFiles } from '../../src/modules/fusion/fit-to-files.js';

let fitted: Promise<string> | undefined;

/**
 * A models directory holding real projection files, fitted (as `npm run fusion:fit` does) from the bundled
 * fixture towers over bench/fusion/texts.txt; fitted once per test process.
 */
export function modelsDirWithFits(): Promise<string> {
  fitted ??= (async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mneme-models-fused-'));
    const texts = readFileSync('bench/fusion/texts.txt', 'utf8').split('\n');
    const config = loadConfig({ MNEME_LOG_LEVEL: 'error', MNEME_PERCEPTION_PRELOAD: 'false' });
    await fitToFiles(config, texts, path.join(dir, 'fusion'));
    return dir;
  })();
  return fitted;
}
