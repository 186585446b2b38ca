import { ErrorCode } from '../../../common/error-codes.js';
import { MnemeError } from '../../../common/mneme-error.js';
import type { Generation } from './ask-state.js';
import { drawSamples } from './draw-samples.js';

const generation = (text: string) => ({ result: { text } }) as unknown as Generation;

/** A draw that records when each sample starts and ends, finishing only when the test says so. */
function controlled() {
  const log: string[] = [];
  const pending: (() => void)[] = [];
  const count = new Map<string, number>();
  const draw = async (model: string) => {
    const n = (count.get(model) ?? 0) + 1;
    count.set(model, n);
    log.push(`start ${model}${n}`);
    await new Promise<void>((resolve) => pending.push(resolve));
    log.push(`end ${model}${n}`);
    return { generation: generation(`${model}${n}`) };
  };
  const finishAll = async () => {
    while (pending.length) {
      pending.shift()!();
      await new Promise((r) => setImmediate(r));
    }
  };
  return { log, draw, finishAll };
}

describe('drawSamples', () => {
  it('runs different models side by side and one model’s samples one after another, in drawing order', async () => {
    const { log, draw, finishAll } = controlled();
    const drawing = drawSamples(['a', 'b', 'a', 'b'], draw);
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['start a1', 'start b1']); // both models at once, neither twice
    await finishAll();
    const { runs } = await drawing;
    expect(runs.map((r) => r.result.text)).toEqual(['a1', 'b1', 'a2', 'b2']);
    expect(log.indexOf('start a2')).toBeGreaterThan(log.indexOf('end a1'));
  });

  it('draws what a model still owes once the others are done, when it found no room beside them', async () => {
    const calls: string[] = [];
    let refused = false;
    // b's second sample finds its model unloaded by a's lane: only that sample is drawn again, afterwards.
    const { runs, warnings } = await drawSamples(['a', 'b', 'a', 'b'], (model) => {
      calls.push(model);
      const n = calls.filter((c) => c === model).length;
      if (model === 'b' && n === 2 && !refused) {
        refused = true;
        return Promise.reject(new MnemeError(ErrorCode.MODEL_UNAVAILABLE, 'no room for b'));
      }
      return Promise.resolve({ generation: generation(`${model}${n}`), warnings: [`${model}${n} trimmed`] });
    });
    expect(runs.map((r) => r.result.text)).toEqual(['a1', 'b1', 'a2', 'b3']);
    expect(calls.filter((c) => c === 'b')).toHaveLength(3);
    expect(warnings).toEqual(['a1 trimmed', 'b1 trimmed', 'a2 trimmed', 'b3 trimmed']);
  });

  it('passes any other failure on at once, stopping the other draws', async () => {
    let stoppedWith: unknown;
    const failing = drawSamples(['a', 'b'], (model, signal) => {
      if (model === 'b') return Promise.reject(new Error('disk on fire'));
      return new Promise((_, reject) =>
        signal.addEventListener('abort', () => {
          stoppedWith = signal.reason;
          reject(new Error('cancelled'));
        }),
      );
    });
    await expect(failing).rejects.toThrow('disk on fire');
    expect(stoppedWith).toEqual(new Error('disk on fire'));
  });
});
