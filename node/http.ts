/** Serves a fetch handler (the Hono app) and the built dashboard with Node's http module. */
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };

export function serve(fetchHandler: (req: Request) => Promise<Response> | Response, staticDir: string, port: number, host = '127.0.0.1'): Promise<Server> {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? host}`);
    try {
      if (!url.pathname.startsWith('/api/')) {
        const path = normalize(url.pathname === '/' ? '/index.html' : url.pathname);
        if (path.includes('..')) throw new Error('bad path');
        const body = await readFile(join(staticDir, path));
        res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY' });
        res.end(body);
        return;
      }
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const request = new Request(url, {
        method: req.method,
        headers: req.headers as Record<string, string>,
        body: ['GET', 'HEAD'].includes(req.method ?? 'GET') ? undefined : Buffer.concat(chunks),
      });
      const response = await fetchHandler(request);
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    } catch {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'not_found', issues: [{ field: 'path', message: `no file ${url.pathname}` }] }));
    }
  });
  return new Promise((resolve) => server.listen(port, host, () => resolve(server)));
}
