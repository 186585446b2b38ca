import { openSync, writeSync, closeSync } from 'node:fs';
import { randomFillSync } from 'node:crypto';

// A minimal GGUF v3 writer: enough to synthesize random-weight llama models of real shapes for benchmarks.
// Weight values do not change inference speed, only shapes and quantization do.

export type GgufValue =
  | { type: 'u32'; value: number }
  | { type: 'i32'; value: number }
  | { type: 'f32'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'string'; value: string }
  | { type: 'string[]'; value: string[] }
  | { type: 'f32[]'; value: number[] }
  | { type: 'i32[]'; value: number[] };

export interface GgufTensor {
  name: string;
  /** ggml order: dims[0] is the innermost (row length). */
  dims: number[];
  type: 'f32' | 'q8_0';
}

const VALUE_TYPE = { u32: 4, i32: 5, f32: 6, bool: 7, string: 8, array: 9 } as const;
const GGML_TYPE = { f32: 0, q8_0: 8 } as const;
const ALIGNMENT = 32;
const Q8_BLOCK = 32;
const Q8_BLOCK_BYTES = 34; // f16 scale + 32 int8

class ByteSink {
  private readonly chunks: Buffer[] = [];
  length = 0;
  push(buffer: Buffer): void {
    this.chunks.push(buffer);
    this.length += buffer.length;
  }
  u32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    this.push(b);
  }
  i32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeInt32LE(v);
    this.push(b);
  }
  u64(v: number): void {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    this.push(b);
  }
  f32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeFloatLE(v);
    this.push(b);
  }
  str(s: string): void {
    const bytes = Buffer.from(s, 'utf8');
    this.u64(bytes.length);
    this.push(bytes);
  }
  concat(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

function tensorBytes(t: GgufTensor): number {
  const count = t.dims.reduce((a, b) => a * b, 1);
  return t.type === 'f32' ? count * 4 : (count / Q8_BLOCK) * Q8_BLOCK_BYTES;
}

const align = (n: number) => Math.ceil(n / ALIGNMENT) * ALIGNMENT;

function writeValue(sink: ByteSink, v: GgufValue): void {
  switch (v.type) {
    case 'u32':
      sink.u32(VALUE_TYPE.u32);
      sink.u32(v.value);
      return;
    case 'i32':
      sink.u32(VALUE_TYPE.i32);
      sink.i32(v.value);
      return;
    case 'f32':
      sink.u32(VALUE_TYPE.f32);
      sink.f32(v.value);
      return;
    case 'bool':
      sink.u32(VALUE_TYPE.bool);
      sink.push(Buffer.from([v.value ? 1 : 0]));
      return;
    case 'string':
      sink.u32(VALUE_TYPE.string);
      sink.str(v.value);
      return;
    case 'string[]':
      sink.u32(VALUE_TYPE.array);
      sink.u32(VALUE_TYPE.string);
      sink.u64(v.value.length);
      for (const s of v.value) sink.str(s);
      return;
    case 'f32[]':
      sink.u32(VALUE_TYPE.array);
      sink.u32(VALUE_TYPE.f32);
      sink.u64(v.value.length);
      for (const x of v.value) sink.f32(x);
      return;
    case 'i32[]':
      sink.u32(VALUE_TYPE.array);
      sink.u32(VALUE_TYPE.i32);
      sink.u64(v.value.length);
      for (const x of v.value) sink.i32(x);
      return;
  }
}

/** Writes a GGUF file whose tensors hold random values (norm weights 1.0). */
export function writeRandomGguf(
  file: string,
  metadata: Record<string, GgufValue>,
  tensors: GgufTensor[],
): void {
  const header = new ByteSink();
  header.push(Buffer.from('GGUF', 'ascii'));
  header.u32(3);
  header.u64(tensors.length);
  header.u64(Object.keys(metadata).length);
  for (const [key, value] of Object.entries(metadata)) {
    header.str(key);
    writeValue(header, value);
  }
  let offset = 0;
  for (const t of tensors) {
    header.str(t.name);
    header.u32(t.dims.length);
    for (const d of t.dims) header.u64(d);
    header.u32(GGML_TYPE[t.type]);
    header.u64(offset);
    offset = align(offset + tensorBytes(t));
  }
  const head = header.concat();
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, head);
    writeSync(fd, Buffer.alloc(align(head.length) - head.length));
    for (const t of tensors) {
      const bytes = tensorBytes(t);
      writeSync(fd, t.type === 'f32' ? onesF32(bytes / 4) : randomQ8(bytes));
      writeSync(fd, Buffer.alloc(align(bytes) - bytes));
    }
  } finally {
    closeSync(fd);
  }
}

function onesF32(count: number): Buffer {
  const b = Buffer.alloc(count * 4);
  for (let i = 0; i < count; i++) b.writeFloatLE(1, i * 4);
  return b;
}

function randomQ8(bytes: number): Buffer {
  const b = randomFillSync(Buffer.alloc(bytes));
  // Every block's scale: a small f16 (0x1C00 ≈ 0.0039) so activations stay finite.
  for (let i = 0; i < bytes; i += Q8_BLOCK_BYTES) b.writeUInt16LE(0x1c00, i);
  return b;
}
