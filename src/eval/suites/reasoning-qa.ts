import { z } from 'zod';
import type { EvalItem, EvalSuite, ReadProblem } from '../eval-suite.js';
import { choiceLabel, yesNo } from './answer-extraction.js';
import { itemsOf, jsonArray, jsonLines } from './read-records.js';

// StrategyQA (a JSON array: qid, question, boolean answer) scored yes/no, and the multiple-choice suites in the
// ARC/CommonsenseQA JSON Lines layout (id, question.stem, question.choices[{label, text}], answerKey), scored by
// the letter, with the choices in the prompt.

const strategyRecord = z.object({
  qid: z.string().optional(),
  question: z.string().min(1),
  answer: z.boolean(),
});

export const strategyqa: EvalSuite = {
  id: 'strategyqa',
  read: (data) =>
    itemsOf(jsonArray(data, strategyRecord), (i, r) => {
      const prompt = `${r.question}\n\nAnswer yes or no first, then explain briefly.`;
      return { id: r.qid ?? `record-${i}`, prompt, expected: r.answer ? 'yes' : 'no' };
    }),
  score(prediction, item) {
    const extracted = yesNo(prediction);
    return { extracted, correct: extracted === item.expected };
  },
};

const choice = z.object({ label: z.string().min(1).max(8), text: z.string() });
const choiceRecord = z.object({
  id: z.string().optional(),
  question: z.object({ stem: z.string().min(1), choices: z.array(choice).min(2).max(26) }),
  answerKey: z.string().min(1).max(8),
});

/** The choices of each item, kept for scoring (the item carries only what is asked). */
type ChoiceItem = EvalItem & { choices: { label: string; text: string }[] };

function multipleChoice(id: string): EvalSuite {
  return {
    id,
    read: (data) =>
      itemsOf(jsonLines(data, choiceRecord), (line, r): ChoiceItem | ReadProblem => {
        const { stem, choices } = r.question;
        if (!choices.some((c) => c.label === r.answerKey))
          return { problem: `${data} line ${line}: answerKey ${r.answerKey} is none of the choices` };
        const listed = choices.map((c) => `${c.label}. ${c.text}`).join('\n');
        const prompt = `${stem}\n\n${listed}\n\nAnswer with the letter of the best choice.`;
        return { id: r.id ?? `line-${line}`, prompt, expected: r.answerKey, choices };
      }),
    score(prediction, item) {
      const extracted = choiceLabel(prediction, (item as ChoiceItem).choices);
      return { extracted, correct: extracted === item.expected };
    },
  };
}

export const commonsenseqa = multipleChoice('commonsenseqa');
export const openbookqa = multipleChoice('openbookqa');
