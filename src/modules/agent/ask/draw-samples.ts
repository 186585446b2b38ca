import { ErrorCode } from '../../../common/error-codes.js';
import { isMnemeError } from '../../../common/mneme-error.js';
import type { Generation } from './ask-state.js';

export type Drawn = { generation: Generation; warnings?: readonly string[] };

/**
 * Draws one sample per entry of `models`, in that order: the samples of one model one after another, different
 * models side by side. A model that could not be loaded beside the others (MODEL_UNAVAILABLE: the memory
 * budget) draws the samples it still owes once the others are done; any other failure stops the other draws
 * (through the signal each draw gets) and is what the caller sees.
 */
export async function drawSamples<M>(
  models: M[],
  draw: (model: M, signal: AbortSignal) => Promise<Drawn>,
): Promise<{ runs: Generation[]; warnings: string[] }> {
  const drawn: (Drawn | undefined)[] = [];
  const failed = new AbortController();
  const lane = async (model: M) => {
    for (const [i, m] of models.entries()) {
      if (m === model && !drawn[i]) drawn[i] = await draw(m, failed.signal);
    }
  };
  const lanes = [...new Set(models)];
  const outcomes = await Promise.allSettled(
    lanes.map((model) =>
      lane(model).catch((error: unknown) => {
        if (!failed.signal.aborted && !noRoom(error)) failed.abort(error);
        throw error;
      }),
    ),
  );
  if (failed.signal.aborted) throw failed.signal.reason;
  for (const [i, outcome] of outcomes.entries()) {
    if (outcome.status === 'rejected') await lane(lanes[i]!); // the room the others held is free now
  }
  return {
    runs: drawn.map((d) => d!.generation),
    warnings: drawn.flatMap((d) => [...(d!.warnings ?? [])]),
  };
}

function noRoom(error: unknown): boolean {
  return isMnemeError(error) && error.code === ErrorCode.MODEL_UNAVAILABLE;
}
