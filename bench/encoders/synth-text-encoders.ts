import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { OnnxGraph } from './onnx-writer.js';

// Random-weight text encoders of real size (shapes and FLOPs are what benchmarks measure), in the folder layouts
// transformers.js loads: a CLIP ViT-B/32 text tower and an all-MiniLM-L6-v2-sized BERT.

interface LayerShape {
  hidden: number;
  heads: number;
  ffn: number;
  preNorm: boolean; // CLIP is pre-LN, BERT post-LN
  act: 'quick_gelu' | 'gelu';
}

const layerNorm = (g: OnnxGraph, x: string, hidden: number) =>
  g.node('LayerNormalization', [x, g.weight([hidden], 'ones'), g.weight([hidden], 'zeros')], { axis: -1 });

/** One transformer layer on [B, S, hidden]; `mask` ([S, S], added to the scores) makes it causal. */
function layer(
  g: OnnxGraph,
  x: string,
  { hidden, heads, ffn, preNorm, act }: LayerShape,
  mask?: string,
): string {
  const linear = (input: string, out: number, inDim = hidden) =>
    g.node('Add', [g.node('MatMul', [input, g.weight([inDim, out])]), g.weight([out], 'zeros')]);
  const headDim = hidden / heads;
  const split = (t: string, perm: number[]) =>
    g.node('Transpose', [g.node('Reshape', [t, g.int64s([0, 0, heads, headDim])])], { perm });
  const attnIn = preNorm ? layerNorm(g, x, hidden) : x;
  const q = split(linear(attnIn, hidden), [0, 2, 1, 3]);
  const k = split(linear(attnIn, hidden), [0, 2, 3, 1]);
  const v = split(linear(attnIn, hidden), [0, 2, 1, 3]);
  let scores = g.node('Mul', [g.node('MatMul', [q, k]), g.scalar(1 / Math.sqrt(headDim))]);
  if (mask) scores = g.node('Add', [scores, mask]);
  const attended = g.node('MatMul', [g.node('Softmax', [scores], { axis: -1 }), v]);
  const merged = g.node('Reshape', [
    g.node('Transpose', [attended], { perm: [0, 2, 1, 3] }),
    g.int64s([0, 0, hidden]),
  ]);
  let y = g.node('Add', [x, linear(merged, hidden)]);
  if (!preNorm) y = layerNorm(g, y, hidden);
  const up = linear(preNorm ? layerNorm(g, y, hidden) : y, ffn);
  const activated =
    act === 'quick_gelu'
      ? g.node('Mul', [up, g.node('Sigmoid', [g.node('Mul', [up, g.scalar(1.702)])])])
      : g.node('Mul', [
          g.node('Mul', [up, g.scalar(0.5)]),
          g.node('Add', [g.node('Erf', [g.node('Mul', [up, g.scalar(Math.SQRT1_2)])]), g.scalar(1)]),
        ]);
  const out = g.node('Add', [y, linear(activated, hidden, ffn)]);
  return preNorm ? out : layerNorm(g, out, hidden);
}

/** Token embeddings plus learned positions sliced to the input's length (any length ≤ `positions`). */
function embed(g: OnnxGraph, ids: string, sizes: Record<'vocab' | 'positions' | 'hidden', number>): string[] {
  const { vocab, positions, hidden } = sizes;
  const length = g.node('Shape', [ids], { start: 1, end: 2 });
  const pos = g.node('Slice', [g.weight([positions, hidden]), g.int64s([0]), length, g.int64s([0])]);
  return [g.node('Add', [g.node('Gather', [g.weight([vocab, hidden]), ids], { axis: 0 }), pos]), length];
}

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;

const CLIP_TEXT = {
  hidden: 512,
  heads: 8,
  ffn: 2048,
  layers: 12,
  vocab: 49408,
  positions: 77,
  projection: 512,
};

function buildClipText(file: string): void {
  const { hidden, heads, ffn, layers, positions, projection } = CLIP_TEXT;
  const g = new OnnxGraph();
  const ids = g.input('input_ids', ['batch', 'seq'], 'int64');
  g.input('attention_mask', ['batch', 'seq'], 'int64'); // CLIP's text tower is causal and pools at EOS: it never reads the mask
  const [embedded, length] = embed(g, ids, CLIP_TEXT) as [string, string];
  let x = embedded;
  // Causal mask: -1e9 strictly above the diagonal, cut to [S, S].
  const upper = g.node('Trilu', [g.weight([positions, positions], 'ones'), g.int64s([1], [])], { upper: 1 });
  const mask = g.node('Slice', [
    g.node('Mul', [upper, g.scalar(-1e9)]),
    g.int64s([0, 0]),
    g.node('Concat', [length, length], { axis: 0 }),
    g.int64s([0, 1]),
  ]);
  const shape: LayerShape = { hidden, heads, ffn, preNorm: true, act: 'quick_gelu' };
  for (let i = 0; i < layers; i++) x = layer(g, x, shape, mask);
  const last = layerNorm(g, x, hidden);
  g.node('Identity', [last], {}, 'last_hidden_state');
  // Pool at EOS, the highest id of each row (as HF CLIP does), then project.
  const eos = g.node('ArgMax', [ids], { axis: 1, keepdims: 1 });
  const pooled = g.node('GatherND', [last, eos], { batch_dims: 1 });
  g.node('MatMul', [pooled, g.weight([hidden, projection])], {}, 'text_embeds');
  g.output('text_embeds', ['batch', projection]);
  g.output('last_hidden_state', ['batch', 'seq', hidden]);
  g.save(file);
}

/**
 * A full CLIP ViT-B/32 (151M parameters): the vision tower synthesized by synthesizeClipVitB32 (`vitFolder`)
 * plus a real-size text tower (63M), with tinyClip's tokenizer and preprocessor.
 */
export function synthesizeClipB32Full(cacheDir: string, tinyClip: string, vitFolder: string): string {
  const folder = path.join(cacheDir, 'clip-b32-full-random');
  const [text, vision, configFile] = ['onnx/text_model.onnx', 'onnx/vision_model.onnx', 'config.json'].map(
    (f) => path.join(folder, f),
  ) as [string, string, string];
  if ([text, vision, configFile].every((f) => existsSync(f))) return folder;
  mkdirSync(path.join(folder, 'onnx'), { recursive: true });
  buildClipText(text);
  copyFileSync(path.join(vitFolder, 'onnx/vision_model.onnx'), vision);
  for (const f of ['tokenizer.json', 'tokenizer_config.json', 'preprocessor_config.json']) {
    copyFileSync(path.join(tinyClip, f), path.join(folder, f));
  }
  const config = readJson(path.join(tinyClip, 'config.json'));
  const { hidden, heads, ffn, layers, vocab, positions, projection } = CLIP_TEXT;
  config.projection_dim = projection;
  config.text_config = {
    ...(config.text_config as object),
    hidden_size: hidden,
    num_attention_heads: heads,
    intermediate_size: ffn,
    num_hidden_layers: layers,
    vocab_size: vocab,
    max_position_embeddings: positions,
    projection_dim: projection,
  };
  config.vision_config = {
    ...(config.vision_config as object),
    hidden_size: 768,
    num_attention_heads: 12,
    intermediate_size: 3072,
    num_hidden_layers: 12,
    patch_size: 32,
    projection_dim: projection,
  };
  writeFileSync(configFile, JSON.stringify(config, null, 1)); // last, so its presence marks a complete folder
  return folder;
}

export interface BertShape {
  hidden: number;
  heads: number;
  ffn: number;
  layers: number;
  vocab: number;
  positions: number;
  types: number;
}

const MINILM: BertShape = {
  hidden: 384,
  heads: 12,
  ffn: 1536,
  layers: 6,
  vocab: 30522,
  positions: 512,
  types: 2,
};

/** A BERT encoder of all-MiniLM-L6-v2's size (22.6M parameters: no pooler), as feature-extraction loads it. */
export function synthesizeMiniLmL6(cacheDir: string, tinyBert: string): string {
  return synthesizeBert(path.join(cacheDir, 'minilm-l6-random'), tinyBert, MINILM);
}

/**
 * A random-weight BERT sentence encoder of any shape in `folder`, with the fixture's tokenizer (tests use small
 * ones as a second text embedder of another width or another space).
 */
export function synthesizeBert(folder: string, tinyBert: string, shape: BertShape): string {
  const [model, configFile] = [path.join(folder, 'onnx/model.onnx'), path.join(folder, 'config.json')];
  if (existsSync(model) && existsSync(configFile)) return folder;
  mkdirSync(path.join(folder, 'onnx'), { recursive: true });
  const { hidden, heads, ffn, layers, vocab, positions, types } = shape;
  const g = new OnnxGraph();
  const ids = g.input('input_ids', ['batch', 'seq'], 'int64');
  // The attention mask is declared but not applied: padding changes values, not speed.
  g.input('attention_mask', ['batch', 'seq'], 'int64');
  const typeIds = g.input('token_type_ids', ['batch', 'seq'], 'int64');
  let x = embed(g, ids, shape)[0]!;
  x = g.node('Add', [x, g.node('Gather', [g.weight([types, hidden]), typeIds], { axis: 0 })]);
  x = layerNorm(g, x, hidden);
  const layerShape: LayerShape = { hidden, heads, ffn, preNorm: false, act: 'gelu' };
  for (let i = 0; i < layers; i++) x = layer(g, x, layerShape);
  g.node('Identity', [x], {}, 'last_hidden_state');
  g.output('last_hidden_state', ['batch', 'seq', hidden]);
  g.save(model);
  // Tokenizer and any other non-ONNX files come from the fixture.
  for (const f of readdirSync(tinyBert, { withFileTypes: true })) {
    if (f.isFile() && f.name !== 'config.json')
      copyFileSync(path.join(tinyBert, f.name), path.join(folder, f.name));
  }
  const config = {
    ...readJson(path.join(tinyBert, 'config.json')),
    hidden_size: hidden,
    num_attention_heads: heads,
    intermediate_size: ffn,
    num_hidden_layers: layers,
    vocab_size: vocab,
    max_position_embeddings: positions,
    type_vocab_size: types,
  };
  writeFileSync(configFile, JSON.stringify(config, null, 1)); // last, so its presence marks a complete folder
  return folder;
}
