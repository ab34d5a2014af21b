/**
 * Every setting the API reads, parsed strictly in one place: a typo such as
 * MAX_TRIALS="5k" is a configuration error, never a silently disabled cap. The Node runner
 * parses process.env at start and exits with the message (node/server.ts); the Worker
 * parses its bindings on the first request of an isolate and, if they are bad, answers
 * every API request 500 `{error: 'misconfigured', issues}` without writing anything.
 */
import { z } from 'zod';
import type { EngineName } from '../core/engine';
import { DEFAULT_LEASE_MS } from '../core/db/store';
import { DEFAULT_LIMITS, type FieldIssue } from '../core/sweep/request';
import type { AppBindings } from './context';

const decimal = (name: string, min: number, max: number, fallback: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return fallback;
      if (!/^[0-9]+$/.test(v.trim())) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a decimal integer, got '${v}'` });
        return z.NEVER;
      }
      return Number(v.trim());
    })
    .pipe(z.number().int().min(min, `${name} must be at least ${min}`).max(max, `${name} must be at most ${max}`));

/** A boolean setting: '1'/'true' or '0'/'false' (unset or empty: false). */
const flag = (name: string) =>
  z
    .enum(['', '0', '1', 'false', 'true'], { message: `${name} must be '1'/'true' or '0'/'false'` })
    .optional()
    .transform((v) => v === '1' || v === 'true');

/** `a, b ,c` → ['a','b','c']; empty entries are dropped. */
const list = z
  .string()
  .optional()
  .transform((v) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean));

/** Hosts a browser may reach the API by: exact names or `*.suffix`; `*` turns the check off. */
const hostPattern = /^(\*|(\*\.)?[a-z0-9.-]+|\[[0-9a-f:]+\])$/i;

export const DEFAULT_ALLOWED_HOSTS = ['localhost', '127.0.0.1', '[::1]', '*.workers.dev'];

export const configSchema = z.object({
  API_TOKEN: z
    .string()
    .optional()
    .refine((v) => v === undefined || v.length > 0, 'API_TOKEN is set but empty; unset it to leave the API open')
    .refine((v) => !v || /^[A-Za-z0-9._~+/-]+=*$/.test(v), 'API_TOKEN may hold only letters, digits and ._~+/- (a Bearer token)'),
  PROTECT_READS: flag('PROTECT_READS'),
  /**
   * Without API_TOKEN, mutating requests are taken only from this machine (loopback hosts);
   * ALLOW_OPEN=true takes them from anyone (api/middleware/auth.ts).
   */
  ALLOW_OPEN: flag('ALLOW_OPEN'),
  MAX_TRIALS: decimal('MAX_TRIALS', 1, 1_000_000, DEFAULT_LIMITS.maxTrials),
  MAX_PACK: decimal('MAX_PACK', 1, 256, 16),
  /**
   * Estimated CPU ms above which a pack is cut at creation (core/sweep/pack-budget.ts); 0
   * turns the cut off. On Cloudflare every pack is one invocation, so the longest pack sets
   * a sweep's wall time and the default keeps packs within the 30 s CPU limit. The Node
   * runner (node/server.ts) defaults to 0: its pool already splits the last packs across
   * its threads, and smaller packs would only cost amortisation there.
   */
  MAX_PACK_CPU_MS: decimal('MAX_PACK_CPU_MS', 0, 3_600_000, DEFAULT_LIMITS.maxPackCpuMs),
  /** A running trial's lease in ms; heartbeats renew it every quarter (core/db/leases.ts). */
  LEASE_MS: decimal('LEASE_MS', 4_000, 3_600_000, DEFAULT_LEASE_MS),
  ENGINE: z
    .enum(['', 'packed', 'baseline'], { message: "ENGINE must be 'packed' or 'baseline'" })
    .optional()
    .transform((v): EngineName => (v ? v : 'packed')),
  ALLOWED_ORIGINS: list.pipe(
    z.array(
      z.string().refine((o) => {
        try {
          return new URL(o).origin === o.replace(/\/$/, '');
        } catch {
          return false;
        }
      }, 'ALLOWED_ORIGINS entries must be origins such as https://example.com or http://localhost:3000'),
    ),
  ),
  ALLOWED_HOSTS: list
    .pipe(z.array(z.string().regex(hostPattern, 'ALLOWED_HOSTS entries must be host names, *.suffix, [ipv6] or *')))
    .transform((hosts) => (hosts.length ? hosts.map((h) => h.toLowerCase()) : DEFAULT_ALLOWED_HOSTS)),
});

export type Config = z.output<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly issues: FieldIssue[]) {
    super(`bad configuration: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`);
  }
}

/** Only the keys the API knows: a host's env holds much else (PATH, DB, …). */
function pick(env: AppBindings): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const key of Object.keys(configSchema.shape)) {
    const v = (env as Record<string, unknown>)[key];
    out[key] = typeof v === 'string' ? v : v === undefined || v === null ? undefined : String(v);
  }
  return out;
}

export function parseConfig(env: AppBindings): Config {
  const r = configSchema.safeParse(pick(env));
  if (!r.success) throw new ConfigError(r.error.issues.map((i) => ({ field: String(i.path[0] ?? '(config)'), message: i.message })));
  return r.data;
}

const cache = new WeakMap<object, Config | ConfigError>();

/** Parses once per bindings object (the Worker's env is one object per isolate). */
export function configFor(env: AppBindings): Config {
  let hit = cache.get(env);
  if (!hit) {
    try {
      hit = parseConfig(env);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      hit = err;
    }
    cache.set(env, hit);
  }
  if (hit instanceof ConfigError) throw hit;
  return hit;
}
