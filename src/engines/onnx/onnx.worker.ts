import { parentPort } from 'node:worker_threads';
import {
  ClapTowers,
  ClipTowers,
  SpeechRecognizer,
  TextEmbedder,
  type OnnxDtype,
} from './transformers.adapter.js';

// The ONNX worker thread: every transformers.js model lives and runs here. onnxruntime-node runs a session
// synchronously on the thread that calls it, and feature extraction (spectrograms) is plain JavaScript, so on
// the main thread each window of speech or batch of images would freeze every other request.

export type OnnxModelKind = 'clip' | 'asr' | 'clap' | 'text';

export type OnnxRequest =
  | { id: number; op: 'load'; kind: OnnxModelKind; folder: string; dtype: OnnxDtype }
  | { id: number; op: 'call'; handle: number; method: string; args: unknown[] }
  | { id: number; op: 'dispose'; handle: number };

export type OnnxReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; message: string };

/** What the main thread needs to know of a loaded model without calling it. */
export interface OnnxModelInfo {
  sampleRate?: number;
  windowSeconds?: number;
  family?: string;
  dims?: number;
}

type Loaded = ClipTowers | SpeechRecognizer | ClapTowers | TextEmbedder;

const models = new Map<number, Loaded>();
let nextHandle = 1;

async function load(
  kind: OnnxModelKind,
  folder: string,
  dtype: OnnxDtype,
): Promise<{ handle: number; info: OnnxModelInfo }> {
  let model: Loaded;
  let info: OnnxModelInfo;
  switch (kind) {
    case 'clip':
      model = await ClipTowers.load(folder, dtype);
      info = {};
      break;
    case 'asr': {
      const asr = await SpeechRecognizer.load(folder, dtype);
      model = asr;
      info = { sampleRate: asr.sampleRate, family: asr.family };
      break;
    }
    case 'clap': {
      const clap = await ClapTowers.load(folder, dtype);
      model = clap;
      info = { sampleRate: clap.sampleRate, windowSeconds: clap.windowSeconds };
      break;
    }
    case 'text': {
      const text = await TextEmbedder.load(folder, dtype);
      model = text;
      info = { dims: text.dims };
      break;
    }
  }
  const handle = nextHandle++;
  models.set(handle, model);
  return { handle, info };
}

async function call(handle: number, method: string, args: unknown[]): Promise<unknown> {
  const model = models.get(handle) as unknown as
    Record<string, (...a: unknown[]) => Promise<unknown>> | undefined;
  if (!model) throw new Error(`no model ${handle} in this worker`);
  const fn = model[method];
  if (typeof fn !== 'function') throw new Error(`models have no method ${method}`);
  return fn.apply(model, args);
}

async function handle(request: OnnxRequest): Promise<unknown> {
  switch (request.op) {
    case 'load':
      return load(request.kind, request.folder, request.dtype);
    case 'call':
      return call(request.handle, request.method, request.args);
    case 'dispose': {
      const model = models.get(request.handle);
      models.delete(request.handle);
      await model?.dispose();
      return undefined;
    }
  }
}

/** Buffers of the typed arrays in a result, handed to the main thread instead of copied. */
function buffersOf(value: unknown): ArrayBuffer[] {
  const arrays = Array.isArray(value) ? value : [value];
  return [
    ...new Set(
      arrays.filter((a): a is Float32Array => a instanceof Float32Array).map((a) => a.buffer as ArrayBuffer),
    ),
  ];
}

const port = parentPort;
if (!port) throw new Error('onnx.worker must run in a worker thread');
port.on('message', (request: OnnxRequest) => {
  handle(request).then(
    (value) => port.postMessage({ id: request.id, ok: true, value } satisfies OnnxReply, buffersOf(value)),
    (error: unknown) =>
      port.postMessage({
        id: request.id,
        ok: false,
        message: error instanceof Error ? error.message : String(error),
      } satisfies OnnxReply),
  );
});
