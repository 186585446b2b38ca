import { z } from 'zod';
import type { EvalItem, EvalSuite } from '../eval-suite.js';
import { finalNumber, numberValue, sameNumber } from './answer-extraction.js';
import { itemsOf, jsonArray, jsonLines } from './read-records.js';

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
  read: (data) =>
    itemsOf(jsonLines(data, gsm8kRecord), (line, r) => {
      const expected = r.answer
        .slice(r.answer.lastIndexOf('####') + 4)
        .trim()
        .replaceAll(',', '');
      return numberValue(expected) === null
        ? { problem: `${data} line ${line}: "#### ${expected}" is no number` }
        : { id: `line-${line}`, prompt: `${r.question}\n\n${INSTRUCTION}`, expected };
    }),
  score: scoreNumber,
};

export const svamp: EvalSuite = {
  id: 'svamp',
  read: (data) =>
    itemsOf(jsonArray(data, svampRecord), (i, r) => {
      const question = `${r.Body.trim()} ${r.Question.trim()}`.trim();
      return {
        id: String(r.ID ?? `record-${i}`),
        prompt: `${question}\n\n${INSTRUCTION}`,
        expected: String(r.Answer),
      };
    }),
  score: scoreNumber,
};
