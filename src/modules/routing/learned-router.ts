import { readFileSync } from 'node:fs';
import type { PathName } from '../../config/routing.config.js';
import { ruleFeatures, type RouteRequest } from './rule-router.js';
import { predictSoftmax, type SoftmaxModel } from './softmax-classifier.js';

/** What `npm run router:train` writes and the server loads. */
export interface RouterModelFile {
  version: 1;
  /** `name:dims` of the text embedder the examples were embedded with. */
  embedder: string;
  model: SoftmaxModel;
  heldOut: { examples: number; accuracy: number; rulesAccuracy: number };
}

/** The request as the learned router sees it: its text embedding next to the rule signals. */
export function routerInput(
  embedding: Float32Array,
  request: Pick<RouteRequest, 'prompt' | 'media' | 'maxTokens'>,
): number[] {
  return [...embedding, ...ruleFeatures(request)];
}

/**
 * The learned router: multinomial logistic regression over [text embedding, rule signals], trained on labelled
 * requests. The rules stay as the fallback for anything it is unsure of.
 */
export class LearnedRouter {
  private constructor(readonly file: RouterModelFile) {}

  /** Loads a trained router; refuses one trained with another embedder, saying what to do. */
  static load(path: string, embedder: string): LearnedRouter {
    const file = JSON.parse(readFileSync(path, 'utf8')) as RouterModelFile;
    if (file.version !== 1 || !file.model?.classes) throw new Error(`${path} is not a Mneme router model`);
    if (file.embedder !== embedder) {
      throw new Error(
        `${path} was trained with the ${file.embedder} text embedder, but ${embedder} is configured; ` +
          'retrain it with npm run router:train.',
      );
    }
    return new LearnedRouter(file);
  }

  /** Path probabilities, best first. */
  classify(input: number[]): { path: PathName; probability: number; scores: Record<PathName, number> } {
    const p = predictSoftmax(this.file.model, input);
    const scores = { fast: 0, medium: 0, deep: 0 };
    this.file.model.classes.forEach((c, i) => (scores[c as PathName] = Math.round(p[i]! * 1000) / 1000));
    const best = p.indexOf(Math.max(...p));
    return { path: this.file.model.classes[best] as PathName, probability: p[best]!, scores };
  }
}
