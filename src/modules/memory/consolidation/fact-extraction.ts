import { z } from 'zod';
import type { ChatMessage } from '../../../engines/llm/llm-engine.js';

const MAX_FACTS = 8;
const name = { type: 'string', minLength: 1, maxLength: 80 } as const;

/**
 * What the extraction pass must answer, as a JSON schema the engine turns into a grammar: the model cannot
 * produce anything else, so every answer parses (its content can still be wrong; that is what confidence is for).
 */
export const EXTRACTION_SCHEMA = {
  type: 'object',
  properties: {
    facts: {
      type: 'array',
      maxItems: MAX_FACTS,
      items: {
        type: 'object',
        properties: {
          subject: name,
          subjectType: { type: 'string', maxLength: 30 },
          predicate: { type: 'string', minLength: 1, maxLength: 40 },
          object: name,
          objectType: { type: 'string', maxLength: 30 },
        },
        required: ['subject', 'subjectType', 'predicate', 'object', 'objectType'],
      },
    },
  },
  required: ['facts'],
} as const;

const answerSchema = z.object({
  facts: z
    .array(
      z.object({
        subject: z.string(),
        subjectType: z.string(),
        predicate: z.string(),
        object: z.string(),
        objectType: z.string(),
      }),
    )
    .max(MAX_FACTS),
});

export interface ExtractedFact {
  subject: string;
  subjectType: string | undefined;
  predicate: string;
  object: string;
  objectType: string | undefined;
}

/** The prompt of one extraction pass over one episode's text. */
export function extractionMessages(text: string): ChatMessage[] {
  return [
    {
      role: 'system',
      content:
        'Extract durable facts from the user message as subject–predicate–object triples about people, ' +
        'places, organizations and things (e.g. {"subject":"Ada","subjectType":"person","predicate":"lives in",' +
        '"object":"London","objectType":"city"}). Only what the message states; no opinions, no questions. ' +
        'Answer {"facts":[]} when there is nothing.',
    },
    { role: 'user', content: text },
  ];
}

/** The facts of a (grammar-constrained) answer; blank parts are dropped, a malformed answer throws. */
export function parseExtraction(answer: string): ExtractedFact[] {
  const parsed = answerSchema.parse(JSON.parse(answer));
  return parsed.facts
    .map((f) => ({
      subject: f.subject.trim(),
      subjectType: f.subjectType.trim() || undefined,
      predicate: f.predicate.trim(),
      object: f.object.trim(),
      objectType: f.objectType.trim() || undefined,
    }))
    .filter(
      (f) =>
        /[\p{L}\p{N}]/u.test(f.subject) &&
        /[\p{L}\p{N}]/u.test(f.predicate) &&
        /[\p{L}\p{N}]/u.test(f.object),
    );
}
