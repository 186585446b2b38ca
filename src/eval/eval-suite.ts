// What every benchmark suite provides: items read from the official files, and how a prediction is scored.

/** One question of a suite, as asked. */
export interface EvalItem {
  /** Stable across runs (the dataset's own id, else the position in the file): what a resumed run skips by. */
  id: string;
  prompt: string;
  /** The reference answer, as the report shows it. */
  expected: string;
  /** A grouping the report breaks accuracy down by (a question type), when the suite has one. */
  type?: string;
}

/** A line or record of the data that could not be read: reported, and the run goes on without it. */
export interface ReadProblem {
  problem: string;
}

export interface Score {
  /** What the extraction rule found in the prediction (null: nothing it recognizes). */
  extracted: string | null;
  correct: boolean;
}

export interface EvalSuite {
  id: string;
  /** Items (or problems) from the files a user brings, in file order. */
  read(data: string): AsyncIterable<EvalItem | ReadProblem>;
  score(prediction: string, item: EvalItem): Score;
}

export const isProblem = (x: EvalItem | ReadProblem): x is ReadProblem => 'problem' in x;
