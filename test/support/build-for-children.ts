import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';

const BUILDS = path.resolve('test/.build');

/**
 * The server compiled into test/.build (its own folder, so it never races the e2e build of dist/) for tests
 * that run our code in a child process they can kill. Built once per state of the sources: the files that need
 * it share one build (a build takes ~15 s). Returns the folder holding the compiled src/.
 */
export function buildForChildren(): string {
  const built = path.join(BUILDS, sourcesHash());
  if (!existsSync(built)) {
    const building = `${built}.${process.pid}`;
    execFileSync(
      process.execPath,
      ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json', '--outDir', building],
      { stdio: 'inherit' },
    );
    try {
      renameSync(building, built);
    } catch {
      rmSync(building, { recursive: true, force: true }); // another jest worker finished the same build first
    }
    removeOtherBuilds(path.basename(built));
  }
  return path.join(built, 'src');
}

/** What a build depends on: every compiled file's path and content, and the compiler settings. */
function sourcesHash(): string {
  const hash = createHash('sha256');
  const sources = ['src', 'bench', 'scripts'].flatMap(typeScriptFiles);
  for (const file of ['tsconfig.json', 'tsconfig.build.json', ...sources])
    hash.update(file).update(readFileSync(file));
  return hash.digest('hex').slice(0, 16);
}

function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

function removeOtherBuilds(keep: string): void {
  for (const entry of readdirSync(BUILDS))
    if (entry !== keep && !entry.startsWith(`${keep}.`))
      rmSync(path.join(BUILDS, entry), { recursive: true, force: true });
}
