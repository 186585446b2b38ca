import { writeFileSync } from 'node:fs';

// A minimal ONNX (protobuf) writer: enough to synthesize random-weight encoders of real shapes for benchmarks.
// Field numbers follow onnx.proto (ModelProto, GraphProto, NodeProto, TensorProto, AttributeProto, ValueInfoProto).

function varint(value: number): Buffer {
  const bytes: number[] = [];
  let v = BigInt(value < 0 ? BigInt.asUintN(64, BigInt(value)) : value);
  while (v >= 0x80n) {
    bytes.push(Number((v & 0x7fn) | 0x80n));
    v >>= 7n;
  }
  bytes.push(Number(v));
  return Buffer.from(bytes);
}
const key = (field: number, wire: number) => varint((field << 3) | wire);
const int = (field: number, value: number) => Buffer.concat([key(field, 0), varint(value)]);
const bytes = (field: number, data: Buffer) => Buffer.concat([key(field, 2), varint(data.length), data]);
const str = (field: number, text: string) => bytes(field, Buffer.from(text, 'utf8'));
const f32 = (field: number, value: number) => {
  const b = Buffer.alloc(4);
  b.writeFloatLE(value);
  return Buffer.concat([key(field, 5), b]);
};

const FLOAT = 1;
const INT8 = 3;
const INT64 = 7;

export type Attr = number | number[] | { float: number };

function attribute(name: string, value: Attr): Buffer {
  // AttributeProto: name 1, f 2, i 3, ints 8, type 20 (FLOAT 1, INT 2, INTS 7)
  if (Array.isArray(value)) return Buffer.concat([str(1, name), ...value.map((v) => int(8, v)), int(20, 7)]);
  if (typeof value === 'object') return Buffer.concat([str(1, name), f32(2, value.float), int(20, 1)]);
  return Buffer.concat([str(1, name), int(3, value), int(20, 2)]);
}

function valueInfo(name: string, dims: (number | string)[], elementType = FLOAT): Buffer {
  const dimensions = dims.map((d) => bytes(1, typeof d === 'number' ? int(1, d) : str(2, d)));
  const tensorType = Buffer.concat([int(1, elementType), bytes(2, Buffer.concat(dimensions))]);
  return Buffer.concat([str(1, name), bytes(2, bytes(1, tensorType))]);
}

/** Builds one graph; weights are random uniform in ±scale (values do not change speed). */
export class OnnxGraph {
  private readonly nodes: Buffer[] = [];
  private readonly initializers: Buffer[] = [];
  private readonly inputs: Buffer[] = [];
  private readonly outputs: Buffer[] = [];
  private counter = 0;
  private seed = 0x2545f491;

  /** A graph input: float, or int64 for token ids. */
  input(name: string, dims: (number | string)[], type: 'float' | 'int64' = 'float'): string {
    this.inputs.push(valueInfo(name, dims, type === 'int64' ? INT64 : FLOAT));
    return name;
  }

  output(name: string, dims: (number | string)[]): void {
    this.outputs.push(valueInfo(name, dims));
  }

  weight(dims: number[], fill: 'random' | 'ones' | 'zeros' = 'random', scale = 0.02): string {
    const count = dims.reduce((a, b) => a * b, 1);
    const data = new Float32Array(count);
    if (fill === 'ones') data.fill(1);
    if (fill === 'random') {
      let s = this.seed;
      for (let i = 0; i < count; i++) {
        s ^= s << 13;
        s ^= s >>> 17;
        s ^= s << 5;
        data[i] = ((s >>> 0) / 4294967296 - 0.5) * 2 * scale;
      }
      this.seed = s;
    }
    return this.tensor(dims, FLOAT, Buffer.from(data.buffer));
  }

  /** A random int8 weight (for MatMulInteger) and its zero point. */
  int8Weight(dims: number[]): [string, string] {
    const count = dims.reduce((a, b) => a * b, 1);
    const data = Buffer.alloc(count);
    let s = this.seed;
    for (let i = 0; i < count; i++) {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      data[i] = s & 0xff;
    }
    this.seed = s;
    return [this.tensor(dims, INT8, data), this.tensor([], INT8, Buffer.alloc(1))];
  }

  /** A node with several outputs (e.g. DynamicQuantizeLinear). */
  nodeOutputs(op: string, inputs: string[], count: number): string[] {
    const outputs = Array.from({ length: count }, () => `t${this.counter++}`);
    this.nodes.push(
      Buffer.concat([
        ...inputs.map((i) => str(1, i)),
        ...outputs.map((o) => str(2, o)),
        str(3, `${op}_${this.counter++}`),
        str(4, op),
      ]),
    );
    return outputs;
  }

  int64s(values: number[], dims: number[] = [values.length]): string {
    const data = Buffer.alloc(values.length * 8);
    values.forEach((v, i) => data.writeBigInt64LE(BigInt(v), i * 8));
    return this.tensor(dims, INT64, data);
  }

  scalar(value: number): string {
    return this.tensor([], FLOAT, Buffer.from(new Float32Array([value]).buffer));
  }

  node(op: string, inputs: string[], attrs: Record<string, Attr> = {}, outputName?: string): string {
    const output = outputName ?? `t${this.counter++}`;
    this.nodes.push(
      Buffer.concat([
        ...inputs.map((i) => str(1, i)),
        str(2, output),
        str(3, `${op}_${this.counter++}`),
        str(4, op),
        ...Object.entries(attrs).map(([k, v]) => bytes(5, attribute(k, v))),
      ]),
    );
    return output;
  }

  save(file: string, opset = 17): void {
    const graph = Buffer.concat([
      ...this.nodes.map((n) => bytes(1, n)),
      str(2, 'graph'),
      ...this.initializers.map((t) => bytes(5, t)),
      ...this.inputs.map((i) => bytes(11, i)),
      ...this.outputs.map((o) => bytes(12, o)),
    ]);
    const opsetId = Buffer.concat([str(1, ''), int(2, opset)]);
    const model = Buffer.concat([int(1, 8), str(2, 'mneme-bench'), bytes(7, graph), bytes(8, opsetId)]);
    writeFileSync(file, model);
  }

  private tensor(dims: number[], type: number, raw: Buffer): string {
    const name = `w${this.counter++}`;
    this.initializers.push(
      Buffer.concat([...dims.map((d) => int(1, d)), int(2, type), str(8, name), bytes(9, raw)]),
    );
    return name;
  }
}
