import { z } from 'zod';

// The one file that speaks the Hugging Face hub's HTTP API (docs/conventions.md rule 1): the endpoint, the token,
// the URL layout. Mirrors and test hubs that keep the layout work through MNEME_HF_ENDPOINT.

export const DEFAULT_HUB = 'https://huggingface.co';
const LIST_TIMEOUT_MS = 30_000;

/** One file of a repository, with what the hub says its content hashes to. */
export interface HubFile {
  path: string;
  size: number;
  /** Large files: the sha256 of the content. */
  sha256?: string;
  /** Every file: git's blob id (sha1 of `blob <size>\0` + content). */
  gitOid: string;
}

const treeEntry = z.looseObject({
  type: z.string(),
  path: z.string(),
  size: z.number().int().nonnegative(),
  oid: z.string(),
  lfs: z.looseObject({ oid: z.string(), size: z.number() }).optional(),
});
const manifest = z.looseObject({ ggufFile: z.looseObject({ rfilename: z.string() }) });

export class HubError extends Error {}

/** The hub at `endpoint` (no trailing slash), with a token for gated repositories when one is given. */
export class HubClient {
  constructor(
    readonly endpoint: string = DEFAULT_HUB,
    private readonly token?: string,
  ) {}

  /** Every file of `repo` at `revision`. */
  async files(repo: string, revision = 'main'): Promise<HubFile[]> {
    const url = `${this.endpoint}/api/models/${repo}/tree/${encodeURIComponent(revision)}?recursive=true`;
    const entries = z.array(treeEntry).parse(await this.json(url, `the file list of ${repo}`));
    return entries
      .filter((e) => e.type === 'file')
      .map((e) => ({
        path: e.path,
        size: e.lfs?.size ?? e.size,
        gitOid: e.oid,
        ...(e.lfs ? { sha256: e.lfs.oid } : {}),
      }));
  }

  /** The GGUF file a quantization tag names (`Q4_K_M`), as llama.cpp's own `-hf` resolves it. */
  async ggufFileFor(repo: string, tag: string): Promise<string> {
    const url = `${this.endpoint}/v2/${repo}/manifests/${encodeURIComponent(tag)}`;
    const body = await this.json(url, `quantization ${tag} of ${repo}`, { 'user-agent': 'llama-cpp' });
    return manifest.parse(body).ggufFile.rfilename;
  }

  fileUrl(repo: string, revision: string, file: string): string {
    const pathPart = file.split('/').map(encodeURIComponent).join('/');
    return `${this.endpoint}/${repo}/resolve/${encodeURIComponent(revision)}/${pathPart}`;
  }

  /** A GET of a file, from byte `from` on when resuming. */
  async download(url: string, from: number, signal?: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = { ...this.auth() };
    if (from > 0) headers.range = `bytes=${from}-`;
    const response = await this.fetch(url, { headers, ...(signal ? { signal } : {}) });
    if (response.ok) return response;
    throw new HubError(
      `${url} answered ${response.status} ${response.statusText}${this.hint(response.status)}`,
    );
  }

  private async json(url: string, what: string, headers: Record<string, string> = {}): Promise<unknown> {
    const response = await this.fetch(url, {
      headers: { ...headers, ...this.auth() },
      signal: AbortSignal.timeout(LIST_TIMEOUT_MS),
    });
    if (!response.ok)
      throw new HubError(
        `Could not get ${what}: ${response.status} ${response.statusText}${this.hint(response.status)}`,
      );
    return response.json();
  }

  private async fetch(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, init);
    } catch (error) {
      throw new HubError(
        `Could not reach the model hub at ${this.endpoint} (${networkCode(error)}). Without network access, download the ` +
          'model elsewhere and copy it into the models dir, or set MNEME_HF_ENDPOINT to a mirror you can reach.',
        { cause: error },
      );
    }
  }

  private hint(status: number): string {
    if (status === 401 || status === 403)
      return this.token ? ' (the token in HF_TOKEN has no access)' : ' (a gated repository: set HF_TOKEN)';
    return status === 404 ? ' (check the repository and file names)' : '';
  }

  private auth(): Record<string, string> {
    return this.token ? { authorization: `Bearer ${this.token}` } : {};
  }
}

/** The system error code under fetch's "fetch failed" (ECONNREFUSED, ENOTFOUND…), or its message. */
function networkCode(error: unknown): string {
  // Duck-typed: undici's errors may come from another realm (a test VM), where instanceof Error is false.
  let cause: unknown = error;
  let message = String((error as Error).message);
  for (let depth = 0; typeof cause === 'object' && cause !== null && depth < 5; depth++) {
    const { code, errors, message: text, cause: next } = cause as Record<string, unknown>;
    if (typeof code === 'string') return code;
    if (typeof text === 'string') message = text;
    cause = next ?? (Array.isArray(errors) ? errors[0] : undefined);
  }
  return message;
}
