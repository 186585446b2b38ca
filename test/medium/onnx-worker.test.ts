import path from 'node:path';
import { onnxWorker } from '../../src/engines/onnx/onnx-worker-host.js';
import { TextEmbedder } from '../../src/engines/onnx/onnx-models.js';

// The perception models run in one worker thread; when it dies, its models load again on their next call.

const TINY_BERT = path.resolve('test/fixtures/models/tiny-bert');

describe('the ONNX worker', () => {
  it('embeds in the worker, survives the worker dying, and stops with its last model', async () => {
    const embedder = await TextEmbedder.load(TINY_BERT);
    const [before] = await embedder.embed(['a cat on a mat']);
    expect(before).toBeInstanceOf(Float32Array);
    expect(before!.length).toBe(embedder.dims);

    const generation = onnxWorker.generation;
    await onnxWorker.kill();
    await new Promise((r) => setImmediate(r));
    expect(onnxWorker.generation).toBe(generation + 1);
    // Two calls at once after the loss: one reload, the same answer as before.
    const [[a], [b]] = await Promise.all([
      embedder.embed(['a cat on a mat']),
      embedder.embed(['a cat on a mat']),
    ]);
    expect(Array.from(a!)).toEqual(Array.from(before!));
    expect(Array.from(b!)).toEqual(Array.from(before!));

    const running = onnxWorker.generation;
    await embedder.dispose();
    expect(onnxWorker.generation).toBe(running + 1); // the last model released stops the worker
  });
});
