import { PATHS, type PathName } from '../../config/routing.config.js';
import { routerInput, type RouterModelFile } from './learned-router.js';
import { routeByRules } from './rule-router.js';
import { predictSoftmax, trainSoftmax } from './softmax-classifier.js';

export interface LabelledRequest {
  prompt: string;
  path: PathName;
}

export interface TrainingReport {
  file: RouterModelFile;
  train: number;
  /** Held-out rows: label → predicted path → count. */
  confusion: Record<PathName, Record<PathName, number>>;
}

/** Parses `{"prompt": "...", "path": "fast|medium|deep"}` lines, naming the first bad line. */
export function parseLabelled(text: string, source: string): LabelledRequest[] {
  return text
    .split('\n')
    .map((line, i) => ({ line, i }))
    .filter(({ line }) => line.trim())
    .map(({ line, i }) => {
      const row = JSON.parse(line) as { prompt?: unknown; path?: unknown };
      if (typeof row.prompt !== 'string' || !PATHS.includes(row.path as PathName)) {
        throw new Error(`${source}:${i + 1}: want {"prompt": string, "path": "fast"|"medium"|"deep"}`);
      }
      return { prompt: row.prompt, path: row.path as PathName };
    });
}

/** Stratified split (a fraction of each path held out) with a seeded shuffle, so reruns give the same figure. */
export function stratifiedSplit(rows: readonly LabelledRequest[], holdOut = 0.2, seed = 42) {
  let state = seed;
  const random = () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const train: LabelledRequest[] = [];
  const test: LabelledRequest[] = [];
  for (const p of PATHS) {
    const mine = rows.filter((r) => r.path === p);
    for (let i = mine.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [mine[i], mine[j]] = [mine[j]!, mine[i]!];
    }
    const cut = Math.round(mine.length * (1 - holdOut));
    train.push(...mine.slice(0, cut));
    test.push(...mine.slice(cut));
  }
  return { train, test };
}

/** Trains on 80 %, scores the learned router and the rules on the held-out 20 %, returns the model file. */
export async function trainRouter(
  rows: readonly LabelledRequest[],
  embed: (texts: string[]) => Promise<Float32Array[]>,
  embedder: string,
): Promise<TrainingReport> {
  const { train, test } = stratifiedSplit(rows);
  const inputsOf = async (set: LabelledRequest[]) => {
    const vectors = await embed(set.map((r) => r.prompt));
    return set.map((r, i) => routerInput(vectors[i]!, { prompt: r.prompt, media: 0, maxTokens: undefined }));
  };
  const model = trainSoftmax(
    await inputsOf(train),
    train.map((r) => r.path),
    PATHS,
  );
  const testInputs = await inputsOf(test);
  const confusion = Object.fromEntries(
    PATHS.map((p) => [p, { fast: 0, medium: 0, deep: 0 }]),
  ) as TrainingReport['confusion'];
  let correct = 0;
  let rulesCorrect = 0;
  test.forEach((row, i) => {
    const p = predictSoftmax(model, testInputs[i]!);
    const predicted = PATHS[p.indexOf(Math.max(...p))]!;
    confusion[row.path][predicted]++;
    if (predicted === row.path) correct++;
    const rules = routeByRules({
      prompt: row.prompt,
      media: 0,
      maxTokens: undefined,
      hint: undefined,
      mayForce: false,
    });
    if (rules.path === row.path) rulesCorrect++;
  });
  const heldOut = {
    examples: test.length,
    accuracy: test.length ? correct / test.length : 0,
    rulesAccuracy: test.length ? rulesCorrect / test.length : 0,
  };
  return { file: { version: 1, embedder, model, heldOut }, train: train.length, confusion };
}
