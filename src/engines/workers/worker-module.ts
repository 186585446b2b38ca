import { Worker } from 'node:worker_threads';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The URL of a worker module next to `importMetaUrl`: compiled `.js` in a build; `.ts` when the server runs from
 * its sources (the tests), which the worker then loads through tsx (see workerExecArgv).
 */
export function workerModule(name: string, importMetaUrl: string): URL {
  return new URL(`./${name}${path.extname(fileURLToPath(importMetaUrl))}`, importMetaUrl);
}

export function workerExecArgv(file: URL): string[] {
  return file.pathname.endsWith('.ts') ? ['--import', 'tsx'] : [];
}

/**
 * Starts a worker thread on `file`. The entry is a one-line script that imports the module; from the sources it
 * first registers tsx's loader itself (hooks given in execArgv are not yet in place when a worker's entry loads).
 */
export function startWorker(file: URL): Worker {
  const target = JSON.stringify(file.href);
  const entry = file.pathname.endsWith('.ts')
    ? `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${target}); });`
    : `import(${target});`;
  return new Worker(entry, { eval: true });
}
