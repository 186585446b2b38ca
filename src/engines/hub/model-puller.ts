import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { OnnxDtype } from '../../config/app-config.js';
import { HubClient, HubError, type HubFile } from './hub-client.js';
import {
  KIND_FOLDERS,
  folderFiles,
  isGgufSource,
  kindOfModelType,
  parseSource,
  type FolderKind,
  type PullKind,
} from './pull-plan.js';
import { downloadVerified, type ProgressListener } from './verified-download.js';

export interface PullOptions {
  modelsDir: string;
  /** The ONNX weights to fetch for each transformers.js kind (what the server will load). */
  dtypeOf: (kind: FolderKind) => OnnxDtype;
  /** The kind, when the repository does not say it in a way Mneme reads. */
  kind?: PullKind;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

export interface PullResult {
  kind: PullKind;
  source: string;
  /** The GGUF file, or the model folder, the server will serve. */
  target: string;
  files: number;
  bytes: number;
  /** Files fetched now (the rest were in place already). */
  downloaded: number;
}

/** Where a pull keeps its partial files until every file of a folder model has arrived. */
const STAGING = '.pulling';

/**
 * Pulls one model from the hub into the models dir, where a restart serves it: a GGUF as `<models dir>/<file>`, a
 * transformers.js model as `<models dir>/<clip|asr|clap|text-embedding>/` (replacing the folder there only once
 * every file has arrived and been verified). Interrupted pulls resume.
 */
export class ModelPuller {
  constructor(private readonly hub: HubClient) {}

  async pull(source: string, options: PullOptions): Promise<PullResult> {
    const parsed = parseSource(source);
    const files = await this.hub.files(parsed.repo, parsed.revision);
    if (isGgufSource(parsed) || options.kind === 'llm') return this.pullGguf(source, files, options);
    const kind = options.kind ?? (await this.detectKind(parsed.repo, parsed.revision, files));
    return this.pullFolder(source, kind, files, options);
  }

  private async pullGguf(source: string, files: HubFile[], options: PullOptions): Promise<PullResult> {
    const { repo, revision, tag, file: named } = parseSource(source);
    const wanted = named ?? (tag ? await this.hub.ggufFileFor(repo, tag) : undefined);
    const file = files.find((f) => f.path === wanted);
    if (!file) {
      const ggufs = files.filter((f) => f.path.endsWith('.gguf')).map((f) => f.path);
      throw new HubError(
        `${repo} has no ${wanted ?? 'GGUF named in the source'}; its GGUF files: ${ggufs.join(', ') || 'none'}. ` +
          'Name a quantization (hf:owner/repo:Q4_K_M) or a file (hf:owner/repo/file.gguf).',
      );
    }
    const target = path.join(options.modelsDir, path.basename(file.path));
    const url = this.hub.fileUrl(repo, revision, file.path);
    const outcome = await downloadVerified(this.hub, url, file, target, options.onProgress, options.signal);
    return {
      kind: 'llm',
      source,
      target,
      files: 1,
      bytes: file.size,
      downloaded: outcome === 'downloaded' ? 1 : 0,
    };
  }

  private async pullFolder(
    source: string,
    kind: FolderKind,
    files: HubFile[],
    options: PullOptions,
  ): Promise<PullResult> {
    const { repo, revision } = parseSource(source);
    const needed = folderFiles(files, kind, options.dtypeOf(kind), repo);
    const folder = KIND_FOLDERS[kind];
    const staging = path.join(options.modelsDir, STAGING, folder);
    await resumeOnlySame(staging, source);
    let downloaded = 0;
    for (const file of needed) {
      const url = this.hub.fileUrl(repo, revision, file.path);
      const dest = path.join(staging, ...file.path.split('/'));
      const outcome = await downloadVerified(this.hub, url, file, dest, options.onProgress, options.signal);
      if (outcome === 'downloaded') downloaded++;
    }
    await rm(path.join(staging, '.mneme-pulling'));
    await writeFile(
      path.join(staging, '.mneme-source.json'),
      JSON.stringify({ source, repo, revision, kind }),
    );
    const target = path.join(options.modelsDir, folder);
    await replaceFolder(staging, target);
    const bytes = needed.reduce((sum, f) => sum + f.size, 0);
    return { kind, source, target, files: needed.length, bytes, downloaded };
  }

  /** Reads the repository's config.json to learn which kind of model it holds. */
  private async detectKind(repo: string, revision: string, files: HubFile[]): Promise<FolderKind> {
    if (!files.some((f) => f.path === 'config.json')) {
      throw new HubError(`${repo} has no config.json: for a GGUF name a quantization (hf:${repo}:Q4_K_M).`);
    }
    const response = await this.hub.download(this.hub.fileUrl(repo, revision, 'config.json'), 0);
    const config = (await response.json()) as { model_type?: unknown };
    const kind = typeof config.model_type === 'string' ? kindOfModelType(config.model_type) : undefined;
    if (kind) return kind;
    throw new HubError(
      `${repo} is a "${String(config.model_type)}" model, which Mneme does not recognise as a kind it serves; ` +
        'say which with --kind (vision, speech-to-text, audio-embedding, text-embedding).',
    );
  }
}

/** Keeps what an interrupted pull of the same source staged; anything else staged there is dropped. */
async function resumeOnlySame(staging: string, source: string): Promise<void> {
  const marker = path.join(staging, '.mneme-pulling');
  const staged = await readFile(marker, 'utf8').catch(() => undefined);
  if (staged !== source) await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  await writeFile(marker, source);
}

/** Puts the staged folder in place of the served one; the old one is removed only after the swap. */
async function replaceFolder(staged: string, target: string): Promise<void> {
  const old = `${target}.replaced`;
  await rm(old, { recursive: true, force: true });
  if (existsSync(target)) await rename(target, old);
  await mkdir(path.dirname(target), { recursive: true });
  await rename(staged, target);
  await rm(old, { recursive: true, force: true });
}
