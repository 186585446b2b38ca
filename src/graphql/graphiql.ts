import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { FastifyPluginCallback, FastifyReply } from 'fastify';

// GraphiQL served from this server alone, so it works with the network off. Mercurius's own page (its `graphiql`
// option) fetches React and GraphiQL from unpkg at run time and has no option to point elsewhere, so it stays off;
// this page loads the same UMD builds from the npm packages instead. GraphiQL 3 is the last line that ships a UMD
// build, and it wants React 18 (React 19 ships none).

const nodeRequire = createRequire(import.meta.url);

interface Asset {
  /** Route under /graphiql/; the package version is in it, so a browser may cache it for good. */
  name: string;
  type: string;
  body: Buffer;
}

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

/** One file of an npm package. By path, not by specifier: React's `exports` do not list its UMD builds. */
function packageAsset(pkg: string, file: string, ext: 'js' | 'css'): Asset {
  const manifest = nodeRequire.resolve(`${pkg}/package.json`);
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
  return {
    name: `${pkg}@${version}.${ext}`,
    type: ext === 'js' ? JS : CSS,
    body: readFileSync(path.join(path.dirname(manifest), file)),
  };
}

export interface GraphiqlOptions {
  /** The GraphQL route, as Mercurius serves it. */
  endpoint: string;
}

/** Runs in the browser after the bundles. The endpoint is relative to the page, so a path prefix still works. */
function startScript({ endpoint }: GraphiqlOptions): string {
  return `"use strict";
(() => {
  const url = new URL(${JSON.stringify(`.${endpoint}`)}, window.location.href);
  const socket = new URL(url.href);
  socket.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  // GraphiQL sends the header editor's headers as connection_init params, where the socket guard reads the key.
  const fetcher = GraphiQL.createFetcher({ url: url.href, subscriptionUrl: socket.href });

  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GraphiQL, { fetcher, shouldPersistHeaders: true })
  );
})();
`;
}

function page(styles: Asset[], scripts: Asset[]): string {
  const href = (asset: Asset) => `./graphiql/${asset.name}`;
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <title>Mneme · GraphiQL</title>
  <meta name="robots" content="noindex" />
  <meta name="viewport" content="width=device-width, initial-scale=1" />
${styles.map((s) => `  <link rel="stylesheet" href="${href(s)}" />`).join('\n')}
  <style>body { margin: 0; } #graphiql { height: 100vh; }</style>
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
${scripts.map((s) => `  <script src="${href(s)}"></script>`).join('\n')}
</body>
</html>
`;
}

function send(reply: FastifyReply, type: string, body: string | Buffer, cache: string): FastifyReply {
  return reply.header('content-type', type).header('cache-control', cache).send(body);
}

/**
 * GET /graphiql and the files it loads, all under /graphiql/ (a public path: the page holds no data, and each
 * request it makes to the endpoint carries the key typed into its header editor). Files are read once, at boot,
 * so a missing package fails there rather than as a blank page.
 */
export function graphiqlPlugin(options: GraphiqlOptions): FastifyPluginCallback {
  return (app, _options, done) => {
    const styles = [packageAsset('graphiql', 'graphiql.min.css', 'css')];
    const scripts = [
      packageAsset('react', 'umd/react.production.min.js', 'js'),
      packageAsset('react-dom', 'umd/react-dom.production.min.js', 'js'),
      packageAsset('graphiql', 'graphiql.min.js', 'js'),
      // Not versioned: it changes with this server, so it is revalidated like the page.
      { name: 'start.js', type: JS, body: Buffer.from(startScript(options)) },
    ];
    const html = page(styles, scripts);
    app.get('/graphiql', (_request, reply) => send(reply, 'text/html; charset=utf-8', html, 'no-cache'));
    for (const asset of [...styles, ...scripts]) {
      const cache = asset.name.includes('@') ? 'public, max-age=31536000, immutable' : 'no-cache';
      app.get(`/graphiql/${asset.name}`, (_request, reply) => send(reply, asset.type, asset.body, cache));
    }
    done();
  };
}
