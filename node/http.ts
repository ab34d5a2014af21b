/**
 * Serves the API (a fetch handler: the Hono app) and the built dashboard from Node with
 * @hono/node-server. Request bodies stay streams until the app reads them, so the API's
 * body limit and token check run before anything is buffered. A request Node can parse
 * but not turn into a URL (a hostile Host header such as `[`) gets a 400 JSON answer from
 * the error handler instead of reaching the app; nothing a request does ends the process.
 */
import { createServer, type Server } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import csp from '../dashboard/csp.json';

type FetchHandler = (req: Request) => Promise<Response> | Response;

const camel = (k: string) => k.replace(/-([a-z])/g, (_, ch: string) => ch.toUpperCase());

const jsonError = (status: number, error: string, field: string, message: string) =>
  new Response(JSON.stringify({ error, issues: [{ field, message }] }), { status, headers: { 'content-type': 'application/json' } });

/** The dashboard's files with the same CSP the Worker's assets get (dashboard/csp.json via _headers). */
function staticApp(dir: string) {
  return new Hono()
    .use('*', secureHeaders({ contentSecurityPolicy: Object.fromEntries(Object.entries(csp).map(([k, v]) => [camel(k), v])) }))
    .use('*', serveStatic({ root: dir }))
    .notFound((c) => c.json({ error: 'not_found', issues: [{ field: 'path', message: `no file ${c.req.path}` }] }, 404));
}

export function serve(api: FetchHandler, staticDir: string, port: number, host = '127.0.0.1'): Promise<Server> {
  const files = staticApp(staticDir);
  const listener = getRequestListener(
    async (req) => {
      try {
        return new URL(req.url).pathname.startsWith('/api/') ? await api(req) : await files.fetch(req);
      } catch (err) {
        // The app answers its own errors; this is the last line for anything else.
        console.error(err);
        return jsonError(500, 'internal_error', '(server)', 'internal error (the server log has the details)');
      }
    },
    {
      hostname: host,
      // Reached when the request cannot even become a Request (bad Host, bad target).
      errorHandler: (err) => jsonError(400, 'invalid_request', 'headers.host', `malformed request: ${err instanceof Error ? err.message : 'unreadable'}`),
    },
  );
  const server = createServer(listener);
  // A client error (bad HTTP syntax) answers 400 and closes that socket, never the server.
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n{"error":"invalid_request","issues":[{"field":"(request)","message":"malformed HTTP request"}]}');
    else socket.destroy();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
