/**
 * A pack runs at most the Worker's 5-minute CPU budget (wrangler.toml limits.cpu_ms), so
 * trials that have waited longer than this with nothing started or finished were probably
 * lost with the queue (the API's `stalledMs`). Shared by the dashboard and the CLI.
 */
export const STALLED_NOTICE_MS = 6 * 60_000;

export function isStalled<T extends { stalledMs: number | null }>(s: T): s is T & { stalledMs: number } {
  return s.stalledMs !== null && s.stalledMs > STALLED_NOTICE_MS;
}
