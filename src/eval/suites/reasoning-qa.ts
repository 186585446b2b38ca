import { z } from 'zod';
import type { EvalItem, EvalSuite, ReadProblem } from '../eval-suite.js';
import { choiceLabel, yesNo } from './answer-extraction.js';
import { jsonArray, jsonLines } from './read-records.js';

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
  // eslint-disable-next-line @typescript-eslint/require-await -- one JSON document, read whole
  async *read(data: string): AsyncGenerator<EvalItem | ReadProblem> {
    for (const entry of jsonArray(data, strategyRecord)) {
      if (!Array.isArray(entry)) {
        yield entry;
        continue;
      }
      const [i, r] = entry;
      const prompt = `${r.question}\n\nAnswer yes or no first, then explain briefly.`;
      yield { id: r.qid ?? `record-${i}`, prompt, expected: r.answer ? 'yes' : 'no' };
    }
  },
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
    async *read(data: string): AsyncGenerator<EvalItem | ReadProblem> {
      for await (const entry of jsonLines(data, choiceRecord)) {
        if (!Array.isArray(entry)) {
          yield entry;
          continue;
        }
        const [line, r] = entry;
        const { stem, choices } = r.question;
        if (!choices.some((c) => c.label === r.answerKey)) {
          yield { problem: `${data} line ${line}: answerKey ${r.answerKey} is none of the choices` };
          continue;
        }
        const listed = choices.map((c) => `${c.label}. ${c.text}`).join('\n');
        const prompt = `${stem}\n\n${listed}\n\nAnswer with the letter of the best choice.`;
        const item: ChoiceItem = { id: r.id ?? `line-${line}`, prompt, expected: r.answerKey, choices };
        yield item;
      }
    },
    score(prediction, item) {
      const extracted = choiceLabel(prediction, (item as ChoiceItem).choices);
      return { extracted, correct: extracted === item.expected };
    },
  };
}

export const commonsenseqa = multipleChoice('commonsenseqa');
export const openbookqa = multipleChoice('openbookqa');
