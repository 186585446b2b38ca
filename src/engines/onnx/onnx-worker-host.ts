import type { Worker } from 'node:worker_threads';
import { startWorker, workerModule } from '../workers/worker-module.js';
import type { OnnxModelInfo, OnnxModelKind, OnnxReply, OnnxRequest } from './onnx.worker.js';
import type { OnnxDtype } from './transformers.adapter.js';

export type { OnnxModelInfo, OnnxModelKind };

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };
type Request = { op: 'load'; kind: OnnxModelKind; folder: string; dtype: OnnxDtype } | OnnxCall | OnnxDispose;
type OnnxCall = { op: 'call'; handle: number; method: string; args: unknown[] };
type OnnxDispose = { op: 'dispose'; handle: number };

/**
 * The main thread's side of the ONNX worker: one worker thread for the process, started with the first model
 * and stopped with the last. If it dies (a crash in native code), whatever was in flight fails and the next
 * call starts a new one; `generation` tells model handles from the old one that they must load again.
 */
class OnnxWorkerHost {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private models = 0;
  generation = 0;

  async load(
    kind: OnnxModelKind,
    folder: string,
    dtype: OnnxDtype,
  ): Promise<{ handle: number; info: OnnxModelInfo }> {
    const loaded = (await this.request({ op: 'load', kind, folder, dtype })) as {
      handle: number;
      info: OnnxModelInfo;
    };
    this.models++;
    return loaded;
  }

  call(handle: number, method: string, args: unknown[], transfer: ArrayBuffer[] = []): Promise<unknown> {
    return this.request({ op: 'call', handle, method, args }, transfer);
  }

  async dispose(handle: number, generation: number): Promise<void> {
    if (generation !== this.generation || !this.worker) return;
    await this.request({ op: 'dispose', handle });
    if (--this.models === 0) await this.stop();
  }

  /** Ends the worker the way a crash would: calls in flight fail, models load again on their next call. */
  async kill(): Promise<void> {
    await this.worker?.terminate();
  }

  private request(request: Request, transfer: ArrayBuffer[] = []): Promise<unknown> {
    const worker = this.started();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref();
      const message: OnnxRequest = { ...request, id };
      worker.postMessage(message, transfer);
    });
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = startWorker(workerModule('onnx.worker', import.meta.url));
    worker.on('message', (reply: OnnxReply) => this.settle(reply));
    worker.on('error', (error) => this.lost(worker, error));
    worker.on('exit', (code) => this.lost(worker, new Error(`the ONNX worker exited (code ${code})`)));
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private settle(reply: OnnxReply): void {
    const pending = this.pending.get(reply.id);
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker?.unref();
    if (!pending) return;
    if (reply.ok) pending.resolve(reply.value);
    else pending.reject(new Error(reply.message));
  }

  private lost(worker: Worker, error: Error): void {
    if (this.worker !== worker) return;
    this.forget(error);
  }

  private async stop(): Promise<void> {
    const worker = this.worker;
    this.forget(new Error('the ONNX worker was stopped (its last model was released)'));
    await worker?.terminate();
  }

  /** The current worker is gone: whatever waited on it fails, and its handles are from the past now. */
  private forget(error: Error): void {
    this.worker = undefined;
    this.models = 0;
    this.generation++;
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}

/** The process's one ONNX worker. */
export const onnxWorker = new OnnxWorkerHost();
