import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * Compiles the server into test/.build (its own folder, so it never races the e2e build of dist/) for tests
 * that run our code in a child process they can kill. Returns the folder holding the compiled src/.
 */
export function buildForChildren(name: string): string {
  const outDir = path.resolve('test/.build', name);
  execFileSync(
    process.execPath,
    ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json', '--outDir', outDir],
    { stdio: 'inherit' },
  );
  return path.join(outDir, 'src');
}
