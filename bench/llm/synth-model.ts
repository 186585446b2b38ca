import { existsSync, mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { readGgufFileInfo } from 'node-llama-cpp';
import { writeRandomGguf, type GgufTensor, type GgufValue } from './gguf-writer.js';
import { wordPieces } from './word-vocab.js';

/** A ~0.45B-parameter llama shape (Qwen2.5-0.5B's layer dimensions with a 32k SentencePiece vocabulary). */
export const SHAPE = {
  hidden: 896,
  layers: 24,
  heads: 14,
  kvHeads: 2,
  ffn: 4864,
  vocab: 32_000,
  context: 4096,
};

export type ModelShape = typeof SHAPE;

/** Bumped whenever the tokenizer changes, so a cached model with the old one is never reused. */
const TOKENIZER_VERSION = 'words1';

/**
 * Synthesizes (once, cached) a Q8_0 random-weight GGUF of `shape` (SHAPE unless a test wants a smaller one). Its
 * tokenizer is the fixture's (bytes, ChatML specials) filled to the full vocabulary with English words and their
 * prefixes (word-vocab.ts), so prompts cost realistic token counts and the output layer a real model's cost.
 */
export async function synthesizeModel(cacheDir: string, fixture: string, shape = SHAPE): Promise<string> {
  const name = `llama-${shape.hidden}x${shape.layers}-v${shape.vocab}-${TOKENIZER_VERSION}-q8_0.gguf`;
  const file = path.join(cacheDir, name);
  if (existsSync(file)) return file;
  mkdirSync(cacheDir, { recursive: true });
  const base = (await readGgufFileInfo(fixture)).metadata.tokenizer;
  const tokens = [...base.ggml.tokens];
  const scores = [...(base.ggml.scores ?? tokens.map(() => 0))];
  const types = [...(base.ggml.token_type ?? tokens.map(() => 1))];
  for (const piece of wordPieces(new Set(tokens), shape.vocab - tokens.length)) {
    tokens.push(piece.text);
    scores.push(piece.score);
    types.push(1);
  }
  if (tokens.length !== shape.vocab)
    throw new Error(`vocabulary has ${tokens.length} of ${shape.vocab} pieces`);
  const metadata: Record<string, GgufValue> = {
    'general.architecture': { type: 'string', value: 'llama' },
    'general.name': { type: 'string', value: `mneme-bench-random-${shape.hidden}x${shape.layers}` },
    'general.alignment': { type: 'u32', value: 32 },
    'general.file_type': { type: 'u32', value: 7 }, // MOSTLY_Q8_0
    'llama.context_length': { type: 'u32', value: shape.context },
    'llama.embedding_length': { type: 'u32', value: shape.hidden },
    'llama.block_count': { type: 'u32', value: shape.layers },
    'llama.feed_forward_length': { type: 'u32', value: shape.ffn },
    'llama.attention.head_count': { type: 'u32', value: shape.heads },
    'llama.attention.head_count_kv': { type: 'u32', value: shape.kvHeads },
    'llama.attention.layer_norm_rms_epsilon': { type: 'f32', value: 1e-6 },
    'llama.rope.dimension_count': { type: 'u32', value: shape.hidden / shape.heads },
    'llama.vocab_size': { type: 'u32', value: shape.vocab },
    'tokenizer.ggml.model': { type: 'string', value: 'llama' },
    'tokenizer.ggml.tokens': { type: 'string[]', value: tokens },
    'tokenizer.ggml.scores': { type: 'f32[]', value: scores },
    'tokenizer.ggml.token_type': { type: 'i32[]', value: types },
    'tokenizer.ggml.bos_token_id': { type: 'u32', value: base.ggml.bos_token_id ?? 1 },
    'tokenizer.ggml.eos_token_id': { type: 'u32', value: base.ggml.eos_token_id ?? 2 },
    'tokenizer.ggml.unknown_token_id': { type: 'u32', value: 0 },
    'tokenizer.chat_template': { type: 'string', value: base.chat_template ?? '' },
  };
  const { hidden, ffn, vocab } = shape;
  const kvDim = (hidden / shape.heads) * shape.kvHeads;
  const tensors: GgufTensor[] = [
    { name: 'token_embd.weight', dims: [hidden, vocab], type: 'q8_0' },
    { name: 'output_norm.weight', dims: [hidden], type: 'f32' },
    { name: 'output.weight', dims: [hidden, vocab], type: 'q8_0' },
  ];
  for (let i = 0; i < shape.layers; i++) {
    tensors.push(
      { name: `blk.${i}.attn_norm.weight`, dims: [hidden], type: 'f32' },
      { name: `blk.${i}.attn_q.weight`, dims: [hidden, hidden], type: 'q8_0' },
      { name: `blk.${i}.attn_k.weight`, dims: [hidden, kvDim], type: 'q8_0' },
      { name: `blk.${i}.attn_v.weight`, dims: [hidden, kvDim], type: 'q8_0' },
      { name: `blk.${i}.attn_output.weight`, dims: [hidden, hidden], type: 'q8_0' },
      { name: `blk.${i}.ffn_norm.weight`, dims: [hidden], type: 'f32' },
      { name: `blk.${i}.ffn_gate.weight`, dims: [hidden, ffn], type: 'q8_0' },
      { name: `blk.${i}.ffn_up.weight`, dims: [hidden, ffn], type: 'q8_0' },
      { name: `blk.${i}.ffn_down.weight`, dims: [ffn, hidden], type: 'q8_0' },
    );
  }
  const partial = `${file}.partial`;
  writeRandomGguf(partial, metadata, tensors);
  renameSync(partial, file);
  return file;
}
