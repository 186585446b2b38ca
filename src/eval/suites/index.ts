import type { EvalSuite } from '../eval-suite.js';
import { gsm8k, svamp } from './math-word-problems.js';
import { commonsenseqa, openbookqa, strategyqa } from './reasoning-qa.js';

/** The suites `mneme eval` runs, by id. */
export const SUITES: Record<string, EvalSuite> = Object.fromEntries(
  [gsm8k, svamp, strategyqa, commonsenseqa, openbookqa].map((s) => [s.id, s]),
);
