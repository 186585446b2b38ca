import { z } from 'zod';
import type { EvalItem, EvalSuite, ReadProblem } from '../eval-suite.js';
import { finalNumber, numberValue, sameNumber } from './answer-extraction.js';
import { jsonArray, jsonLines } from './read-records.js';

// GSM8K (JSON Lines: question, answer ending "#### n") and SVAMP (a JSON array: Body, Question, Answer), both
// scored by exact numeric match of the final number.

const INSTRUCTION = 'Solve the problem. End your reply with the final number after "####".';

const gsm8kRecord = z.object({
  question: z.string().min(1),
  answer: z.string().regex(/####/, 'no "####" answer'),
});
const svampRecord = z.object({
  ID: z.union([z.string(), z.number()]).optional(),
  Body: z.string(),
  Question: z.string().min(1),
  Answer: z.number(),
});

function scoreNumber(prediction: string, item: EvalItem) {
  const found = finalNumber(prediction);
  const expected = numberValue(item.expected);
  return {
    extracted: found === null ? null : String(found),
    correct: found !== null && expected !== null && sameNumber(found, expected),
  };
}

export const gsm8k: EvalSuite = {
  id: 'gsm8k',
  async *read(data: string): AsyncGenerator<EvalItem | ReadProblem> {
    for await (const entry of jsonLines(data, gsm8kRecord)) {
      if (!Array.isArray(entry)) {
        yield entry;
        continue;
      }
      const [line, r] = entry;
      const expected = r.answer
        .slice(r.answer.lastIndexOf('####') + 4)
        .trim()
        .replaceAll(',', '');
      if (numberValue(expected) === null)
        yield { problem: `${data} line ${line}: "#### ${expected}" is no number` };
      else yield { id: `line-${line}`, prompt: `${r.question}\n\n${INSTRUCTION}`, expected };
    }
  },
  score: scoreNumber,
};

export const svamp: EvalSuite = {
  id: 'svamp',
  // eslint-disable-next-line @typescript-eslint/require-await -- one JSON document, read whole
  async *read(data: string): AsyncGenerator<EvalItem | ReadProblem> {
    for (const entry of jsonArray(data, svampRecord)) {
      if (!Array.isArray(entry)) {
        yield entry;
        continue;
      }
      const [i, r] = entry;
      const question = `${r.Body.trim()} ${r.Question.trim()}`.trim();
      yield {
        id: String(r.ID ?? `record-${i}`),
        prompt: `${question}\n\n${INSTRUCTION}`,
        expected: String(r.Answer),
      };
    }
  },
  score: scoreNumber,
};
