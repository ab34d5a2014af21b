/**
 * Hostile requests against a running server (either host: `npm start` or `npm run local`),
 * shared by test/integration/hostile.test.ts and `npm run hostile` (scripts/hostile.ts).
 * Each row is sent over a raw socket (so Host, Content-Length and bodies can lie) and is
 * expected to get a clean 4xx `{error, issues}` naming a field, to write nothing (sweep and
 * trial counts through the API before and after), and to leave the server answering
 * /api/health.
 */
import { connect } from 'node:net';
import { createClient } from '../client';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface Expect {
  status: number;
  error: string;
  field: string;
}

export interface HostileRow {
  name: string;
  method: string;
  /** Path; `{done}` is replaced by the id of a finished sweep made at setup. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Send this Content-Length instead of the body's real length (the body is then cut short). */
  claimLength?: number;
  /** Send the body chunked, without Content-Length. */
  chunked?: boolean;
  /** Mutating rows get the right token unless they test the token itself. */
  noToken?: boolean;
  /** Needs a server with API_TOKEN set (the row would otherwise be a valid write). */
  needsToken?: boolean;
  expect: Expect;
  /**
   * What wrangler dev answers instead, when the request never reaches the Worker: its own
   * dev proxy fails on a Host it cannot parse (500 text, still serving), and it reads a
   * whole request body before passing the request on, so a body that never comes gets no
   * answer (null) while the server goes on serving others. On Cloudflare the edge refuses
   * a bad Host, and a Worker sees Content-Length before the body. Any of `status` counts.
   */
  worker?: { status: Array<number | null>; note: string };
}

const json = { 'content-type': 'application/json' };
const valid = JSON.stringify({ experiment: 'exp1', repeats: 1, params: { steps: 1 } });
const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
const metrics120 = Array.from({ length: 120 }, (_, i) => `m${i}`).join(',');

export const HOSTILE_ROWS: HostileRow[] = [
  {
    name: 'bad Host header `[`',
    method: 'GET',
    path: '/api/health',
    headers: { host: '[' },
    expect: { status: 400, error: 'invalid_request', field: 'headers.host' },
    worker: { status: [500], note: "wrangler dev's own proxy (before the Worker) answers 500 text and keeps serving" },
  },
  { name: 'evil Host GET (DNS rebinding)', method: 'GET', path: '/api/sweeps', headers: { host: 'evil.example:8787' }, expect: { status: 403, error: 'forbidden', field: 'headers.host' } },
  { name: 'evil Origin POST', method: 'POST', path: '/api/sweeps', headers: { ...json, origin: 'https://evil.example' }, body: valid, expect: { status: 403, error: 'forbidden', field: 'headers.origin' } },
  { name: 'Origin null POST', method: 'POST', path: '/api/sweeps', headers: { ...json, origin: 'null' }, body: valid, expect: { status: 403, error: 'forbidden', field: 'headers.origin' } },
  { name: 'text/plain POST', method: 'POST', path: '/api/sweeps', headers: { 'content-type': 'text/plain' }, body: valid, expect: { status: 415, error: 'unsupported_media_type', field: 'headers.content-type' } },
  { name: 'form POST to cancel', method: 'POST', path: '/api/sweeps/{done}/cancel', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1', expect: { status: 415, error: 'unsupported_media_type', field: 'headers.content-type' } },
  { name: 'wrong token', method: 'POST', path: '/api/sweeps', headers: { ...json, authorization: 'Bearer not-the-token' }, body: valid, noToken: true, needsToken: true, expect: { status: 401, error: 'unauthorized', field: 'headers.authorization' } },
  { name: 'bad JSON', method: 'POST', path: '/api/sweeps', headers: json, body: '{"experiment":', expect: { status: 400, error: 'invalid_request', field: '(body)' } },
  {
    // 15 KB that once built 3·10⁹ grid cells before counting them, and took the host down.
    name: '15 KB grid of 3·10⁹ cells',
    method: 'POST',
    path: '/api/sweeps',
    headers: json,
    body: JSON.stringify({ experiment: 'exp1', grid: { width: Array.from({ length: 1000 }, (_, i) => i + 1), n: Array.from({ length: 1000 }, (_, i) => i + 2), steps: Array.from({ length: 1000 }, (_, i) => i + 1) } }),
    expect: { status: 400, error: 'invalid_request', field: 'grid' },
  },
  { name: 'a trial beyond the CPU limit', method: 'POST', path: '/api/sweeps', headers: json, body: JSON.stringify({ experiment: 'exp2', params: { steps: 1_000_000 } }), expect: { status: 400, error: 'invalid_request', field: 'params.steps' } },
  { name: '2 MB body', method: 'POST', path: '/api/sweeps', headers: json, body: JSON.stringify({ experiment: 'exp1', name: 'x'.repeat(2 * 1024 * 1024) }), expect: { status: 413, error: 'payload_too_large', field: '(body)' } },
  {
    name: '2 MB body, chunked',
    method: 'POST',
    path: '/api/sweeps',
    headers: json,
    chunked: true,
    body: JSON.stringify({ experiment: 'exp1', name: 'x'.repeat(2 * 1024 * 1024) }),
    expect: { status: 413, error: 'payload_too_large', field: '(body)' },
    worker: { status: [413, 500, null], note: "the Worker answers 413 after 64 KB (wrangler's log shows it); wrangler dev's proxy, still streaming the rest, may then reset the connection or answer 500 itself" },
  },
  {
    name: 'Content-Length 400 MB, small body',
    method: 'POST',
    path: '/api/sweeps',
    headers: json,
    body: valid,
    claimLength: 400 * 1024 * 1024,
    expect: { status: 413, error: 'payload_too_large', field: '(body)' },
    worker: { status: [null], note: "wrangler dev's proxy waits for the whole claimed body before the Worker runs (no answer; still serving)" },
  },
  { name: '__proto__ in params', method: 'POST', path: '/api/sweeps', headers: json, body: '{"experiment":"exp1","repeats":1,"params":{"__proto__":{"steps":1}}}', expect: { status: 400, error: 'invalid_request', field: 'params.__proto__' } },
  { name: '__proto__ in grid', method: 'POST', path: '/api/sweeps', headers: json, body: '{"experiment":"exp1","repeats":1,"grid":{"__proto__":[1]}}', expect: { status: 400, error: 'invalid_request', field: 'grid.__proto__' } },
  { name: 'constructor in grid', method: 'POST', path: '/api/sweeps', headers: json, body: '{"experiment":"exp1","repeats":1,"grid":{"constructor":[1]}}', expect: { status: 400, error: 'invalid_request', field: 'grid.constructor' } },
  { name: '30,000-deep array', method: 'POST', path: '/api/sweeps', headers: json, body: `{"experiment":"exp1","repeats":1,"params":{"coefs":${deep(30_000)}}}`, expect: { status: 400, error: 'invalid_request', field: 'params.coefs.0.0' } },
  // Valid by the schema, but its WASM heap (1,024 units × 20,000 points) could never fit an isolate.
  { name: 'memory-hungry exp1 (1,024 units × 20,000 points)', method: 'POST', path: '/api/sweeps', headers: json, body: '{"experiment":"exp1","repeats":1,"params":{"steps":1,"width":1024,"n":20000}}', expect: { status: 400, error: 'invalid_request', field: 'params' } },
  { name: '120 metric names (aggregate)', method: 'GET', path: `/api/sweeps/{done}/aggregate?metric=${metrics120}`, expect: { status: 400, error: 'invalid_request', field: 'query.metric' } },
  { name: '120 metric names (trials)', method: 'GET', path: `/api/sweeps/{done}/trials?metric=${metrics120}`, expect: { status: 400, error: 'invalid_request', field: 'query.metric' } },
  { name: 'hex repeat 0x10', method: 'GET', path: '/api/sweeps/{done}/trials?repeat=0x10', expect: { status: 400, error: 'invalid_request', field: 'query.repeat' } },
  { name: 'exponent repeat 1e3', method: 'GET', path: '/api/sweeps/{done}/trials?repeat=1e3', expect: { status: 400, error: 'invalid_request', field: 'query.repeat' } },
  { name: 'blank-padded repeat " 5"', method: 'GET', path: '/api/sweeps/{done}/trials?repeat=%205', expect: { status: 400, error: 'invalid_request', field: 'query.repeat' } },
  { name: 'configs of an unknown sweep', method: 'GET', path: '/api/sweeps/no-such-sweep/configs', expect: { status: 404, error: 'not_found', field: 'id' } },
  { name: 'cancel a done sweep', method: 'POST', path: '/api/sweeps/{done}/cancel', headers: json, expect: { status: 409, error: 'conflict', field: 'id' } },
  { name: 'unknown route', method: 'GET', path: '/api/nothing-here', expect: { status: 404, error: 'not_found', field: 'path' } },
];

/**
 * One HTTP/1.1 request over a raw socket; resolves with the answer or rejects on no answer.
 * A large body goes like curl sends it: `Expect: 100-continue`, then in pieces, stopping
 * as soon as the server has answered (a server refusing a body closes the connection,
 * and bytes still arriving then would make the kernel reset it, losing the answer).
 */
export function rawRequest(base: string, row: Pick<HostileRow, 'method' | 'path' | 'headers' | 'body' | 'claimLength' | 'chunked'>, timeoutMs = 20_000): Promise<RawResponse> {
  const url = new URL(base);
  const body = row.body === undefined ? Buffer.alloc(0) : Buffer.from(row.body);
  // No `connection: close`: a server that answers before reading the body would then reset the
  // connection with our bytes unread, losing its answer; kept alive, it drains them.
  const headers: Record<string, string> = { host: url.host, ...row.headers };
  if (row.chunked) headers['transfer-encoding'] = 'chunked';
  else if (body.length || row.claimLength !== undefined || row.method !== 'GET') headers['content-length'] = String(row.claimLength ?? body.length);
  const big = body.length > 16_384;
  if (big) headers.expect = '100-continue';
  const head = `${row.method} ${row.path} HTTP/1.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n')}\r\n\r\n`;
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    let buf = Buffer.alloc(0);
    let done = false;
    let answered = false;
    let onProgress = () => {};
    const finish = (err: Error | null, res?: RawResponse) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(res!);
    };
    const timer = setTimeout(() => finish(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    const tryParse = (ended: boolean) => {
      // Interim answers (100 Continue) come before the real one.
      while (/^HTTP\/1\.1 1\d\d /.test(buf.toString('latin1', 0, 13)) && buf.indexOf('\r\n\r\n') >= 0) buf = buf.subarray(buf.indexOf('\r\n\r\n') + 4);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return ended ? finish(new Error(`connection closed without an answer (${buf.length} bytes)`)) : undefined;
      answered = true;
      const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
      const status = Number(lines[0].split(' ')[1]);
      const hs: Record<string, string> = {};
      for (const l of lines.slice(1)) hs[l.slice(0, l.indexOf(':')).toLowerCase()] = l.slice(l.indexOf(':') + 1).trim();
      let rest = buf.subarray(end + 4);
      if (hs['content-length'] !== undefined) {
        const n = Number(hs['content-length']);
        if (rest.length >= n) return finish(null, { status, headers: hs, body: rest.subarray(0, n).toString('utf8') });
      } else if (/chunked/i.test(hs['transfer-encoding'] ?? '')) {
        const parts: Buffer[] = [];
        for (;;) {
          const nl = rest.indexOf('\r\n');
          if (nl < 0) break;
          const size = parseInt(rest.subarray(0, nl).toString(), 16);
          if (size === 0) return finish(null, { status, headers: hs, body: Buffer.concat(parts).toString('utf8') });
          if (rest.length < nl + 2 + size + 2) break;
          parts.push(rest.subarray(nl + 2, nl + 2 + size));
          rest = rest.subarray(nl + 2 + size + 2);
        }
      }
      if (ended) finish(null, { status, headers: hs, body: rest.toString('utf8') });
    };
    socket.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      tryParse(false);
      onProgress();
    });
    socket.on('end', () => tryParse(true));
    socket.on('close', () => tryParse(true));
    // The server may answer and close before it has read the whole body (413): not an error.
    socket.on('error', (err) => (buf.length ? tryParse(true) : finish(err)));
    const progress = (ms: number) =>
      new Promise<void>((r) => {
        const t = setTimeout(r, ms);
        onProgress = () => {
          clearTimeout(t);
          r();
        };
      });
    const send = async () => {
      socket.write(head);
      const payload = row.claimLength !== undefined ? body.subarray(0, Math.min(body.length, row.claimLength)) : body;
      if (!payload.length) return;
      if (big) await progress(1000);
      for (let i = 0; i < payload.length; i += 16_384) {
        if (answered || done || socket.destroyed) return;
        const part = payload.subarray(i, i + 16_384);
        const more = row.chunked ? socket.write(`${part.length.toString(16)}\r\n`) && socket.write(part) && socket.write('\r\n') : socket.write(part);
        if (!more) await Promise.race([new Promise((r) => socket.once('drain', r)), progress(5000)]);
      }
      if (row.chunked && !answered && !socket.destroyed) socket.write('0\r\n\r\n');
    };
    socket.on('connect', () => void send().catch(() => {}));
  });
}

export interface RowResult {
  row: HostileRow;
  status: number | null;
  error: string | null;
  fields: string[];
  /** Status, error and named field as the row expects (or the host's documented exception). */
  clean: boolean;
  wrote: boolean;
  crashed: boolean;
  note: string;
}

export interface TableOptions {
  token?: string;
  /** 'worker' applies the rows' documented wrangler-dev exceptions. */
  host?: 'worker' | 'node';
  log?: (line: string) => void;
}

/** Sweeps and trials the server holds, through the API. */
async function counts(base: string, token?: string) {
  const list = await createClient(base, { token, requestTimeoutMs: 30_000 }).allSweeps();
  return { sweeps: list.length, trials: list.reduce((a, s) => a + s.counts.total, 0) };
}

async function healthy(base: string, token?: string): Promise<boolean> {
  try {
    return (await createClient(base, { token, requestTimeoutMs: 15_000 }).health()).ok === true;
  } catch {
    return false;
  }
}

/**
 * Makes one small finished sweep (for the rows about a done sweep), then fires every row.
 * Counts are taken around each row, so a write is pinned on the row that made it.
 */
export async function runHostileTable(base: string, opts: TableOptions = {}): Promise<RowResult[]> {
  const client = createClient(base, { token: opts.token, requestTimeoutMs: 30_000 });
  const created = await client.createSweep({ experiment: 'exp1', repeats: 1, params: { steps: 1 }, name: 'hostile-table fixture' });
  const fixture = await client.waitForSweep(created.id, { intervalMs: 300, timeoutMs: 240_000 });
  if (fixture.status !== 'done') throw new Error(`fixture sweep ${created.id} ended ${fixture.status}`);
  const results: RowResult[] = [];
  for (const row of HOSTILE_ROWS) {
    if (row.needsToken && !opts.token) {
      opts.log?.(`skip ${row.name}: the server has no API_TOKEN (pass --token)`);
      continue;
    }
    const exception = opts.host === 'worker' ? row.worker : undefined;
    const headers = { ...row.headers };
    if (opts.token && !row.noToken && !headers.authorization) headers.authorization = `Bearer ${opts.token}`;
    const before = await counts(base, opts.token);
    let res: RawResponse | null = null;
    let failure = '';
    // A server that refuses a body mid-upload may reset the connection before its answer
    // is read (TCP discards unread data on a reset): such a transport loss is retried
    // once, and the table says so.
    for (let attempt = 1; attempt <= 2 && !res; attempt++) {
      try {
        res = await rawRequest(base, { ...row, headers, path: row.path.replace('{done}', created.id) }, exception?.status.includes(null) ? 5000 : 20_000);
      } catch (err) {
        const message = String((err as Error).message ?? err);
        failure = failure ? `${failure}; then ${message}` : message;
        if (!/EPIPE|ECONNRESET|closed without an answer/.test(message)) break;
      }
    }
    const crashed = !(await healthy(base, opts.token));
    const after = crashed ? before : await counts(base, opts.token);
    let body: { error?: unknown; issues?: Array<{ field?: unknown }> } = {};
    try {
      body = JSON.parse(res?.body ?? '');
    } catch {
      /* not JSON */
    }
    const fields = Array.isArray(body.issues) ? body.issues.map((i) => String(i.field)) : [];
    const asExpected = res?.status === row.expect.status && body.error === row.expect.error && fields.includes(row.expect.field);
    const clean = asExpected || (exception !== undefined && exception.status.includes(res?.status ?? null) && res?.status !== row.expect.status);
    results.push({
      row,
      status: res?.status ?? null,
      error: typeof body.error === 'string' ? body.error : null,
      fields,
      clean,
      wrote: after.sweeps !== before.sweeps || after.trials !== before.trials,
      crashed,
      note: [failure && (res ? `retried after: ${failure}` : failure), asExpected ? '' : exception?.note].filter(Boolean).join('; '),
    });
    opts.log?.(`${row.name}: ${res?.status ?? 'no answer'} ${body.error ?? ''} ${fields.join(',')}`);
    if (crashed) break;
  }
  return results;
}

export function markdownReport(base: string, results: RowResult[]): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  const lines = [
    `Hostile requests against ${base}`,
    '',
    '| request | expected | got | fields | as expected | wrote | note |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...results.map(
      (r) =>
        `| ${cell(r.row.name)} | ${r.row.expect.status} ${r.row.expect.error} (${r.row.expect.field}) | ${r.status ?? 'no answer'} ${r.error ?? ''} | ${cell(r.fields.join(', '))} | ${r.clean ? 'yes' : 'NO'} | ${r.wrote ? 'YES' : 'no'} | ${cell(r.note)} |`,
    ),
    '',
    '| requests tried | clean 4xx | 5xx | crashes | writes |',
    '| --- | --- | --- | --- | --- |',
    `| ${results.length} | ${results.filter((r) => r.clean && r.status !== null && r.status >= 400 && r.status < 500).length} | ${results.filter((r) => (r.status ?? 0) >= 500).length} | ${results.filter((r) => r.crashed).length} | ${results.filter((r) => r.wrote).length} |`,
  ];
  return lines.join('\n');
}
