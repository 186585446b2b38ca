import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { OnnxGraph } from './onnx-writer.js';

/** Pre-LN transformer layer (CLIP) or post-LN (wav2vec2-base), on [B, T, hidden]. */
type MatMul = (g: OnnxGraph, input: string, inDim: number, out: number) => string;

const floatMatMul: MatMul = (g, input, inDim, out) => g.node('MatMul', [input, g.weight([inDim, out])]);

/** Dynamic int8 quantization, as onnxruntime's quantize_dynamic writes it: activations quantized per call. */
const int8MatMul: MatMul = (g, input, inDim, out) => {
  const [q, scale, zero] = g.nodeOutputs('DynamicQuantizeLinear', [input], 3) as [string, string, string];
  const [w, wZero] = g.int8Weight([inDim, out]);
  const product = g.node('Cast', [g.node('MatMulInteger', [q, w, zero, wZero])], { to: 1 });
  return g.node('Mul', [product, g.node('Mul', [scale, g.scalar(0.0005)])]);
};

function encoderLayer(
  g: OnnxGraph,
  x: string,
  hidden: number,
  heads: number,
  ffn: number,
  preNorm: boolean,
  act: 'quick_gelu' | 'gelu',
  matmul: MatMul = floatMatMul,
): string {
  const ln = (input: string) =>
    g.node('LayerNormalization', [input, g.weight([hidden], 'ones'), g.weight([hidden], 'zeros')], {
      axis: -1,
    });
  const linear = (input: string, out: number, inDim = hidden) =>
    g.node('Add', [matmul(g, input, inDim, out), g.weight([out], 'zeros')]);
  const headDim = hidden / heads;
  const attnIn = preNorm ? ln(x) : x;
  const split = (t: string, perm: number[]) =>
    g.node('Transpose', [g.node('Reshape', [t, g.int64s([0, 0, heads, headDim])])], { perm });
  const q = split(linear(attnIn, hidden), [0, 2, 1, 3]);
  const k = split(linear(attnIn, hidden), [0, 2, 3, 1]);
  const v = split(linear(attnIn, hidden), [0, 2, 1, 3]);
  const scores = g.node(
    'Softmax',
    [g.node('Mul', [g.node('MatMul', [q, k]), g.scalar(1 / Math.sqrt(headDim))])],
    { axis: -1 },
  );
  const merged = g.node('Reshape', [
    g.node('Transpose', [g.node('MatMul', [scores, v])], { perm: [0, 2, 1, 3] }),
    g.int64s([0, 0, hidden]),
  ]);
  let y = g.node('Add', [x, linear(merged, hidden)]);
  if (!preNorm) y = ln(y);
  const ffIn = preNorm ? ln(y) : y;
  const up = linear(ffIn, ffn);
  const activated =
    act === 'quick_gelu'
      ? g.node('Mul', [up, g.node('Sigmoid', [g.node('Mul', [up, g.scalar(1.702)])])])
      : gelu(g, up);
  let out = g.node('Add', [y, linear(activated, hidden, ffn)]);
  if (!preNorm) out = ln(out);
  return out;
}

function gelu(g: OnnxGraph, x: string): string {
  // 0.5·x·(1 + erf(x/√2))
  const erf = g.node('Erf', [g.node('Mul', [x, g.scalar(Math.SQRT1_2)])]);
  return g.node('Mul', [g.node('Mul', [x, g.scalar(0.5)]), g.node('Add', [erf, g.scalar(1)])]);
}

/** A ViT-B/32 CLIP vision tower with projection (88M parameters), as transformers.js loads it. */
export function synthesizeClipVitB32(cacheDir: string, tinyClip: string): string {
  const folder = path.join(cacheDir, 'clip-vit-b32-random');
  const file = path.join(folder, 'onnx', 'vision_model.onnx');
  if (existsSync(file)) return folder;
  mkdirSync(path.join(folder, 'onnx'), { recursive: true });
  const [hidden, heads, ffn, layers, patch, size, projection] = [768, 12, 3072, 12, 32, 224, 512];
  const tokens = (size / patch) ** 2 + 1;
  const g = new OnnxGraph();
  const pixels = g.input('pixel_values', ['batch', 3, size, size]);
  const patches = g.node('Conv', [pixels, g.weight([hidden, 3, patch, patch])], {
    strides: [patch, patch],
    kernel_shape: [patch, patch],
  });
  const sequence = g.node('Transpose', [g.node('Reshape', [patches, g.int64s([0, hidden, -1])])], {
    perm: [0, 2, 1],
  });
  // The class token, broadcast over the batch: a zeroed slice of the sequence plus the learned embedding.
  const first = g.node('Slice', [sequence, g.int64s([0]), g.int64s([1]), g.int64s([1])]);
  const cls = g.node('Add', [g.node('Mul', [first, g.scalar(0)]), g.weight([1, 1, hidden])]);
  let x = g.node('Add', [g.node('Concat', [cls, sequence], { axis: 1 }), g.weight([1, tokens, hidden])]);
  x = g.node('LayerNormalization', [x, g.weight([hidden], 'ones'), g.weight([hidden], 'zeros')], {
    axis: -1,
  });
  for (let i = 0; i < layers; i++) x = encoderLayer(g, x, hidden, heads, ffn, true, 'quick_gelu');
  g.node('Identity', [x], {}, 'last_hidden_state');
  const pooled = g.node(
    'LayerNormalization',
    [
      g.node('Gather', [x, g.int64s([0], [])], { axis: 1 }),
      g.weight([hidden], 'ones'),
      g.weight([hidden], 'zeros'),
    ],
    { axis: -1 },
  );
  g.node('MatMul', [pooled, g.weight([hidden, projection])], {}, 'image_embeds');
  g.output('image_embeds', ['batch', projection]);
  g.output('last_hidden_state', ['batch', tokens, hidden]);
  g.save(file);
  const config = JSON.parse(readFileSync(path.join(tinyClip, 'config.json'), 'utf8')) as Record<
    string,
    Record<string, unknown>
  >;
  config.projection_dim = projection as never;
  config.vision_config = {
    ...config.vision_config,
    hidden_size: hidden,
    num_attention_heads: heads,
    intermediate_size: ffn,
    num_hidden_layers: layers,
    patch_size: patch,
    projection_dim: projection,
  };
  writeFileSync(path.join(folder, 'config.json'), JSON.stringify(config, null, 1));
  for (const f of [
    'preprocessor_config.json',
    'tokenizer.json',
    'tokenizer_config.json',
    'onnx/text_model.onnx',
  ]) {
    copyFileSync(path.join(tinyClip, f), path.join(folder, f));
  }
  return folder;
}

const W2V = { conv: 512, hidden: 768, heads: 12, ffn: 3072, layers: 12 };

function buildWav2vec2(file: string, vocab: number, matmul: MatMul): void {
  const { conv, hidden, heads, ffn, layers } = W2V;
  const kernels = [10, 3, 3, 3, 3, 2, 2];
  const strides = [5, 2, 2, 2, 2, 2, 2];
  const g = new OnnxGraph();
  const input = g.input('input_values', ['batch', 'samples']);
  let x = g.node('Unsqueeze', [input, g.int64s([1])]);
  kernels.forEach((k, i) => {
    x = g.node('Conv', [x, g.weight([conv, i === 0 ? 1 : conv, k], 'random', 0.05)], {
      strides: [strides[i]!],
      kernel_shape: [k],
    });
    // Layer 0 has GroupNorm with one group per channel: instance normalization.
    if (i === 0)
      x = g.node('InstanceNormalization', [x, g.weight([conv], 'ones'), g.weight([conv], 'zeros')]);
    x = gelu(g, x);
  });
  x = g.node('Transpose', [x], { perm: [0, 2, 1] });
  x = g.node('LayerNormalization', [x, g.weight([conv], 'ones'), g.weight([conv], 'zeros')], { axis: -1 });
  x = g.node('Add', [matmul(g, x, conv, hidden), g.weight([hidden], 'zeros')]);
  // Positional convolution: kernel 128, 16 groups, padding 64, last frame dropped.
  const channels = g.node('Transpose', [x], { perm: [0, 2, 1] });
  let pos = g.node(
    'Conv',
    [channels, g.weight([hidden, hidden / 16, 128], 'random', 0.01), g.weight([hidden], 'zeros')],
    { kernel_shape: [128], pads: [64, 64], group: 16 },
  );
  pos = gelu(g, g.node('Slice', [pos, g.int64s([0]), g.int64s([-1]), g.int64s([2])]));
  x = g.node('Add', [x, g.node('Transpose', [pos], { perm: [0, 2, 1] })]);
  x = g.node('LayerNormalization', [x, g.weight([hidden], 'ones'), g.weight([hidden], 'zeros')], {
    axis: -1,
  });
  for (let i = 0; i < layers; i++) x = encoderLayer(g, x, hidden, heads, ffn, false, 'gelu', matmul);
  g.node('Add', [g.node('MatMul', [x, g.weight([hidden, vocab])]), g.weight([vocab], 'zeros')], {}, 'logits');
  g.output('logits', ['batch', 'frames', vocab]);
  g.save(file);
}

/**
 * A wav2vec2-base CTC model (95M parameters): conv feature encoder, positional conv, 12 post-LN layers; written
 * twice, fp32 (`model.onnx`) and with dynamically int8-quantized linear layers (`model_quantized.onnx`, what
 * transformers.js loads for dtype q8).
 */
export function synthesizeWav2vec2Base(cacheDir: string, tinyCtc: string): string {
  const folder = path.join(cacheDir, 'wav2vec2-base-ctc-random');
  const quantized = path.join(folder, 'onnx', 'model_quantized.onnx');
  if (existsSync(quantized)) return folder;
  mkdirSync(path.join(folder, 'onnx'), { recursive: true });
  const tiny = JSON.parse(readFileSync(path.join(tinyCtc, 'config.json'), 'utf8')) as Record<string, unknown>;
  const vocab = tiny.vocab_size as number;
  buildWav2vec2(path.join(folder, 'onnx', 'model.onnx'), vocab, floatMatMul);
  buildWav2vec2(quantized, vocab, int8MatMul);
  const { hidden, heads, ffn, layers } = W2V;
  const config = {
    ...tiny,
    hidden_size: hidden,
    num_attention_heads: heads,
    intermediate_size: ffn,
    num_hidden_layers: layers,
  };
  writeFileSync(path.join(folder, 'config.json'), JSON.stringify(config, null, 1));
  for (const f of ['preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json', 'vocab.json']) {
    copyFileSync(path.join(tinyCtc, f), path.join(folder, f));
  }
  return folder;
}
