import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { servedModels } from '../engines/llm/model-locator.js';
import { KIND_FOLDERS } from '../engines/hub/pull-plan.js';
import { cliConfig } from './cli-config.js';

/** `mneme models`: what a start would serve from the configuration and the models dir, offline. */
export function listModels(flags: { modelsDir?: string }): number {
  const config = cliConfig({ MNEME_MODELS_DIR: flags.modelsDir });
  if (typeof config === 'number') return config;
  const { specs, defaultName } = servedModels(config.llm);
  console.log(`Models dir: ${config.llm.modelsDir}\n`);
  console.log('LLMs');
  for (const spec of specs) {
    const size = existsSync(spec.source) ? `  ${mb(statSync(spec.source).size)}` : '';
    const notes = [spec.name === defaultName && 'default', spec.testModel && 'test model: answers are noise']
      .filter(Boolean)
      .join(', ');
    console.log(`  ${spec.name.padEnd(32)} ${spec.source}${size}${notes ? `  (${notes})` : ''}`);
  }
  console.log('\nPerception and embedding');
  for (const [kind, folder] of Object.entries(KIND_FOLDERS)) {
    const dir = path.join(config.llm.modelsDir, folder);
    if (!existsSync(dir)) {
      console.log(
        `  ${kind.padEnd(16)} none in ${folder}/ — the bundled test model (noise); mneme pull recommended`,
      );
      continue;
    }
    const origin = path.join(dir, '.mneme-source.json');
    const source = existsSync(origin)
      ? (JSON.parse(readFileSync(origin, 'utf8')) as { source: string }).source
      : 'copied in';
    console.log(`  ${kind.padEnd(16)} ${dir}  (${source})`);
  }
  return 0;
}

function mb(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MB`;
}
