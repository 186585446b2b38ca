import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { configurationDoc } from '../src/config/configuration-doc.js';

// Writes docs/configuration.md from the descriptions in the env schema; a unit test fails when the two drift.
// The path is taken from the working directory, the package root under `npm run`, so tsx and a build agree.
const target = resolve('docs/configuration.md');
writeFileSync(target, configurationDoc());
console.log(`${target} written`);
