import os from 'node:os';
import path from 'node:path';
import { synthesizeBert, type BertShape } from '../../bench/encoders/synth-text-encoders.js';

const TINY_BERT = path.resolve('test/fixtures/models/tiny-bert');
const CACHE = path.join(os.tmpdir(), 'mneme-test-embedders');
const SMALL = { heads: 2, layers: 1, vocab: 205, positions: 512, types: 2 };

/**
 * Random-weight sentence encoders other than the bundled tiny-bert, with its tokenizer: one of another width
 * (48 dims), one of the same width (32) but other weights — each a different vector space. Written once.
 */
export function otherEmbedder(kind: 'wider' | 'same-width'): string {
  const shape: BertShape =
    kind === 'wider' ? { ...SMALL, hidden: 48, ffn: 96 } : { ...SMALL, hidden: 32, ffn: 64 };
  return synthesizeBert(path.join(CACHE, `bert-${kind}`), TINY_BERT, shape);
}
