import type { OnnxDtype } from '../../config/app-config.js';
import { HubError, type HubFile } from './hub-client.js';

// What a pull fetches, decided from the repository's file list alone (pure, unit-tested).

export const PULL_KINDS = ['llm', 'vision', 'speech-to-text', 'audio-embedding', 'text-embedding'] as const;
export type PullKind = (typeof PULL_KINDS)[number];
export type FolderKind = Exclude<PullKind, 'llm'>;

/** Where each transformers.js kind lives in the models dir: where the server looks for it. */
export const KIND_FOLDERS: Record<FolderKind, string> = {
  vision: 'clip',
  'speech-to-text': 'asr',
  'audio-embedding': 'clap',
  'text-embedding': 'text-embedding',
};

/** The ONNX parts each kind loads (transformers.js file names without the dtype suffix). */
const KIND_PARTS: Record<FolderKind, readonly string[]> = {
  vision: ['vision_model', 'text_model'],
  'speech-to-text': ['encoder_model', 'decoder_model_merged', 'model'],
  'audio-embedding': ['audio_model', 'text_model'],
  'text-embedding': ['model'],
};

const DTYPE_SUFFIX: Record<OnnxDtype, string> = {
  fp32: '',
  fp16: '_fp16',
  q8: '_quantized',
  int8: '_int8',
  uint8: '_uint8',
  q4: '_q4',
};

/** Configuration and tokenizer files transformers.js reads from a model folder. */
const FOLDER_FILE = /^[^/]+\.(json|txt|model)$/;
const NOT_NEEDED = /^(README|LICENSE|\.gitattributes)/i;

/** A source: `hf:owner/repo`, `hf:owner/repo:QUANT` (a GGUF quantization), `hf:owner/repo/file.gguf`, `@revision`. */
export interface HubSource {
  repo: string;
  revision: string;
  /** A GGUF quantization tag (`Q4_K_M`). */
  tag?: string;
  /** A file named in the source. */
  file?: string;
}

export function parseSource(source: string): HubSource {
  const match = /^hf:(\w[\w.-]*)\/(\w[\w.-]*?)(?::([\w.-]+))?(?:\/(.+?))?(?:@(\w[\w./-]*))?$/.exec(
    source.trim(),
  );
  if (!match || (match[4] !== undefined && !isPlainPath(match[4]))) {
    throw new HubError(
      `"${source}" is not a hub source: use hf:owner/repo (a transformers.js model), hf:owner/repo:Q4_K_M or ` +
        'hf:owner/repo/file.gguf (a GGUF), optionally @revision, or a preset (recommended).',
    );
  }
  const [, owner, name, tag, file, revision] = match;
  return {
    repo: `${owner}/${name}`,
    revision: revision ?? 'main',
    ...(tag ? { tag } : {}),
    ...(file ? { file } : {}),
  };
}

/** A relative path that stays inside the folder it is joined to (no `..`, no empty or absolute parts). */
export function isPlainPath(file: string): boolean {
  return file
    .split('/')
    .every((part) => part !== '' && part !== '.' && part !== '..' && !part.includes('\\'));
}

/** A GGUF source names one file: by its path, or by a quantization tag resolved through the hub. */
export function isGgufSource(source: HubSource): boolean {
  return source.tag !== undefined || (source.file?.toLowerCase().endsWith('.gguf') ?? false);
}

/** The kind a transformers.js repository holds, from its config's `model_type`. */
export function kindOfModelType(modelType: string): FolderKind | undefined {
  if (/^(clip|siglip|chinese_clip)/.test(modelType)) return 'vision';
  if (/^(whisper|wav2vec2|hubert|wavlm|moonshine)/.test(modelType)) return 'speech-to-text';
  if (/^clap/.test(modelType)) return 'audio-embedding';
  if (/(bert|mpnet|roberta|e5|nomic|gte|minilm)/.test(modelType)) return 'text-embedding';
  return undefined;
}

/** The files of a transformers.js repository a `kind` model of `dtype` needs: configs, tokenizer, its ONNX parts. */
export function folderFiles(
  files: readonly HubFile[],
  kind: FolderKind,
  dtype: OnnxDtype,
  repo: string,
): HubFile[] {
  const unsafe = files.find((f) => !isPlainPath(f.path));
  if (unsafe) throw new HubError(`${repo} lists a file outside the repository (${unsafe.path}); refused.`);
  const configs = files.filter((f) => FOLDER_FILE.test(f.path) && !NOT_NEEDED.test(f.path));
  const weights = files.filter((f) => {
    const onnx = /^onnx\/([^/]+)\.onnx(_data)?$/.exec(f.path);
    return onnx !== null && KIND_PARTS[kind].some((part) => onnx[1] === `${part}${DTYPE_SUFFIX[dtype]}`);
  });
  if (!weights.some((f) => f.path.endsWith('.onnx'))) {
    const offered = [...new Set(files.filter((f) => f.path.startsWith('onnx/')).map((f) => dtypeOf(f.path)))];
    throw new HubError(
      `${repo} has no ${dtype} ONNX weights for a ${kind} model (${KIND_PARTS[kind].join(' / ')}); it offers ` +
        `${offered.join(', ') || 'no ONNX weights at all'}. Set MNEME_ONNX_DTYPE (or pass --dtype) to one of them.`,
    );
  }
  if (!configs.some((f) => f.path === 'config.json')) throw new HubError(`${repo} has no config.json.`);
  return [...configs, ...weights];
}

function dtypeOf(file: string): string {
  const name = file.replace(/^onnx\//, '').replace(/\.onnx(_data)?$/, '');
  const entry = Object.entries(DTYPE_SUFFIX).find(([, suffix]) => suffix !== '' && name.endsWith(suffix));
  return entry ? entry[0] : 'fp32';
}

/** Named sets of models, so one command fills the models dir. */
export const PRESETS: Record<string, { kind: PullKind; source: string }[]> = {
  // A small real set: every kind the server uses, each a common choice at its size.
  recommended: [
    { kind: 'llm', source: 'hf:bartowski/Qwen2.5-1.5B-Instruct-GGUF:Q4_K_M' },
    { kind: 'vision', source: 'hf:Xenova/clip-vit-base-patch32' },
    { kind: 'speech-to-text', source: 'hf:Xenova/whisper-base' },
    { kind: 'text-embedding', source: 'hf:Xenova/all-MiniLM-L6-v2' },
    { kind: 'audio-embedding', source: 'hf:Xenova/clap-htsat-unfused' },
  ],
};
