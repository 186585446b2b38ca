import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';

/** A repository the fake hub serves: files from a folder on disk, under their paths in it. */
export interface FakeRepo {
  dir: string;
}

/**
 * A local HTTP server in the Hugging Face hub's URL layout — the tree API with sizes and hashes, `resolve/` with
 * range requests, and the GGUF manifests llama.cpp resolves quantization tags through — serving fixture models.
 * Faults on demand: `cutAfter` drops the connection after that many bytes of a file (once), `corrupt` serves a
 * file's bytes altered while listing the true hash.
 */
export class FakeHub {
  readonly requests: { path: string; range?: string }[] = [];
  readonly cutAfter = new Map<string, number>();
  readonly corrupt = new Set<string>();
  private server: Server | undefined;
  url = '';

  constructor(private readonly repos: Record<string, FakeRepo>) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://hub');
      this.requests.push({ path: url.pathname, ...(req.headers.range ? { range: req.headers.range } : {}) });
      const tree = /^\/api\/models\/([^/]+\/[^/]+)\/tree\/[^/]+$/.exec(url.pathname);
      const manifest = /^\/v2\/([^/]+\/[^/]+)\/manifests\/([^/]+)$/.exec(url.pathname);
      const file = /^\/([^/]+\/[^/]+)\/resolve\/[^/]+\/(.+)$/.exec(url.pathname);
      if (tree) return this.json(res, this.tree(decodeURIComponent(tree[1]!)));
      if (manifest) return this.json(res, this.manifest(decodeURIComponent(manifest[1]!), manifest[2]!));
      if (file)
        return this.sendFile(
          res,
          decodeURIComponent(file[1]!),
          decodeURIComponent(file[2]!),
          req.headers.range,
        );
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address() as { port: number };
    this.url = `http://127.0.0.1:${address.port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private filesOf(repo: string): string[] | undefined {
    const entry = this.repos[repo];
    return entry ? walk(entry.dir) : undefined;
  }

  private tree(repo: string) {
    const files = this.filesOf(repo);
    if (!files) return undefined;
    return files.map((rel) => {
      const content = readFileSync(path.join(this.repos[repo]!.dir, rel));
      const gitOid = createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
      // Weights are LFS files on the hub: listed with their sha256.
      const lfs = /\.(onnx|gguf|onnx_data)$/.test(rel)
        ? { lfs: { oid: createHash('sha256').update(content).digest('hex'), size: content.length } }
        : {};
      return { type: 'file', path: rel, size: content.length, oid: gitOid, ...lfs };
    });
  }

  private manifest(repo: string, tag: string) {
    const gguf = this.filesOf(repo)?.find((f) => f.toLowerCase().endsWith(`-${tag.toLowerCase()}.gguf`));
    return gguf ? { ggufFile: { rfilename: gguf } } : undefined;
  }

  private sendFile(res: import('node:http').ServerResponse, repo: string, rel: string, range?: string): void {
    const dir = this.repos[repo]?.dir;
    if (!dir || !this.filesOf(repo)!.includes(rel)) return void res.writeHead(404).end();
    let content = readFileSync(path.join(dir, rel));
    if (this.corrupt.has(rel))
      content = Buffer.concat([content.subarray(0, -1), Buffer.from([content.at(-1)! ^ 0xff])]);
    const from = range ? Number(/^bytes=(\d+)-$/.exec(range)?.[1] ?? 0) : 0;
    const body = content.subarray(from);
    res.writeHead(from > 0 ? 206 : 200, {
      'content-length': body.length,
      ...(from > 0 ? { 'content-range': `bytes ${from}-${content.length - 1}/${content.length}` } : {}),
    });
    const cut = this.cutAfter.get(rel);
    if (cut === undefined) return void res.end(body);
    this.cutAfter.delete(rel);
    // The bytes go out, and the connection drops a moment later (as a network does, after the client read them).
    res.write(body.subarray(0, cut), () => setTimeout(() => res.destroy(), 150));
  }

  private json(res: import('node:http').ServerResponse, body: unknown): void {
    if (body === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }
}

function walk(dir: string, prefix = ''): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    const rel = prefix ? `${prefix}/${name}` : name;
    return statSync(full).isDirectory() ? walk(full, rel) : [rel];
  });
}
