/**
 * Compare page (#/compare?ids=a,b[,c]): two or more sweeps of one experiment, e.g. the
 * same grid with other seeds, parameters or engines. One overlaid figure of the
 * experiment's main metric (Figure.main) with a band per sweep (colour = sweep), a table of
 * what differs in their stored requests, and their verdicts side by side when the server
 * has GET /api/sweeps/:id/verdict. Plus the sweep list's tick boxes that lead here.
 */
import { el } from './dom';
import type { GetJson } from './figures/load';
import { fmt, pointsOf, viewLabel, type Point } from './figures/common';
import type { Figure, FigureContext, FigureData, FigureOptions } from './figures/types';
import type { AggregateAnswer, AggregateRow, ConfigInfo, SweepSummary, VerdictAnswer, VerdictClaim } from './routes';

/** A sweep as compared: its summary (GET /api/sweeps/:id) with its configs and the main metric's aggregate. */
export type CompareSweep = Pick<SweepSummary, 'id' | 'experiment' | 'name' | 'seed' | 'repeats' | 'request'> & {
  configs: ConfigInfo[];
  aggregate: AggregateRow[];
};

/** What the verdict table shows of a claim (GET /api/sweeps/:id/verdict). */
export type Claim = Pick<VerdictClaim, 'statement' | 'result' | 'effect' | 'ci'>;

export type Main = NonNullable<Figure['main']>;

export const sweepLabel = (s: Pick<CompareSweep, 'id' | 'name'>) => (s.name ? `${s.name} (${s.id})` : s.id);

/** Leaves of a JSON value as dotted paths; arrays are leaves (a grid axis is one value). */
function flatten(v: unknown, prefix: string, out: Map<string, string>): void {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) flatten(x, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) out.set(prefix, JSON.stringify(v));
}

/**
 * Field-by-field view of the sweeps' requests, with the seed and repeats the server
 * resolved (a request may omit them). `differs` rows first, then the shared ones.
 */
export function requestDiff(sweeps: Array<Pick<CompareSweep, 'request' | 'seed' | 'repeats'>>): Array<{ field: string; values: Array<string | undefined>; differs: boolean }> {
  const flat = sweeps.map((s) => {
    const m = new Map<string, string>();
    flatten({ ...(s.request as Record<string, unknown>), seed: s.seed, repeats: s.repeats }, '', m);
    return m;
  });
  const fields = [...new Set(flat.flatMap((m) => [...m.keys()]))].sort();
  const rows = fields.map((field) => {
    const values = flat.map((m) => m.get(field));
    return { field, values, differs: new Set(values).size > 1 };
  });
  return [...rows.filter((r) => r.differs), ...rows.filter((r) => !r.differs)];
}

type Row = Point & { sweep: string; cell: string; x: number | string };

/**
 * A label per config that matches across sweeps: the parameters some sweep varies (its
 * grid axes), so "function=sin, n_hidden=16" of a 3×3 grid meets "n_hidden=16" of a sweep
 * that fixed function=sin. Parameters fixed per sweep (steps, seed) are what is compared.
 */
export function cellLabels(sweeps: Array<Pick<CompareSweep, 'configs'>>): Map<ConfigInfo, string> {
  const axes = new Set<string>();
  for (const s of sweeps) {
    for (const key of new Set(s.configs.flatMap((c) => Object.keys(c.params)))) {
      if (new Set(s.configs.map((c) => JSON.stringify(c.params[key]))).size > 1) axes.add(key);
    }
  }
  const keys = [...axes].sort();
  const out = new Map<ConfigInfo, string>();
  for (const s of sweeps) for (const c of s.configs) out.set(c, keys.map((k) => `${k}=${Array.isArray(c.params[k]) ? JSON.stringify(c.params[k]) : String(c.params[k])}`).join(', ') || 'all');
  return out;
}

/**
 * The main metric of every sweep on one figure. A checkpoint series: one panel per config
 * (fx), x = step, band and centre line per sweep. A final scalar: x = config, a dot per
 * sweep with its band as a vertical rule, sweeps side by side.
 */
export function compareFigure(sweeps: CompareSweep[], main: Main, ctx: FigureContext): Element {
  const { Plot } = ctx;
  const view: FigureOptions = { ...(ctx.options ?? { band: 'iqr', center: 'median', repeats: false }), repeats: false };
  const labels = sweeps.map(sweepLabel);
  const cells = cellLabels(sweeps);
  const rows: Row[] = sweeps.flatMap((s, i) => {
    const data: FigureData = { experiment: {} as FigureData['experiment'], configs: s.configs, aggregate: s.aggregate, trials: [] };
    const cellOf = new Map(s.configs.map((c) => [c.config, cells.get(c)!]));
    return pointsOf(data, main.metric, { final: main.final }).map((p) => ({ ...p, sweep: labels[i], cell: cellOf.get(p.config) ?? p.config, x: p.step ?? 0 }));
  });
  const lo = view.band === 'iqr' ? 'q1' : 'lo';
  const hi = view.band === 'iqr' ? 'q3' : 'hi';
  // Cells in the first sweep's grid order, then any only later sweeps have.
  const configs = [...new Set(sweeps.flatMap((s) => s.configs.map((c) => cells.get(c)!)).filter((c) => rows.some((r) => r.cell === c)))];
  const caption = `${main.label}: ${viewLabel(view)} across repeats, one colour per sweep`;
  if (!rows.length) return el(ctx.document, 'p', { class: 'pending' }, `${main.label}: no finished trial in these sweeps yet.`);
  const color = { legend: true, domain: labels };
  if (main.final) {
    // Horizontal: one row per cell (labels stay readable), a dot per sweep with its band as a rule.
    const step = 7;
    const longest = Math.max(...configs.map((c) => c.length));
    return Plot.plot({
      document: ctx.document,
      title: `${main.label} per config`,
      caption,
      width: 720,
      height: Math.max(160, 40 + configs.length * (16 + step * sweeps.length)),
      marginLeft: Math.min(320, 20 + longest * 6.5),
      y: { domain: configs, label: null, padding: 0.2 },
      x: { label: main.label, grid: true, nice: true },
      color,
      marks: sweeps.flatMap((_, i) => {
        const mine = rows.filter((r) => r.sweep === labels[i]);
        const dy = (i - (sweeps.length - 1) / 2) * step;
        return [
          Plot.ruleY(mine, { y: 'cell', x1: lo, x2: hi, stroke: 'sweep', strokeWidth: 3, strokeOpacity: 0.45, dy }),
          Plot.dot(mine, { y: 'cell', x: view.center, fill: 'sweep', r: 4, dy }),
        ];
      }),
    });
  }
  const perPanel = 260;
  return Plot.plot({
    document: ctx.document,
    title: `${main.label} over training, per config`,
    caption,
    width: Math.min(1300, Math.max(420, configs.length * perPanel)),
    height: 320,
    marginLeft: 50,
    marginTop: 30,
    fx: { domain: configs, label: null },
    x: { label: 'step' },
    y: { label: main.label, grid: true },
    color,
    marks: [
      Plot.frame({ stroke: '#ddd' }),
      Plot.areaY(rows, { fx: 'cell', x: 'x', y1: lo, y2: hi, fill: 'sweep', fillOpacity: 0.18, sort: 'x', z: 'sweep' }),
      Plot.lineY(rows, { fx: 'cell', x: 'x', y: view.center, stroke: 'sweep', sort: 'x', z: 'sweep' }),
    ],
  });
}

/** Every sweep's claims side by side (rows = statements in first-seen order); null when none answered. */
export function verdictTable(doc: Document, sweeps: Array<{ label: string; claims: Claim[] | null }>): HTMLElement | null {
  if (!sweeps.some((s) => s.claims?.length)) return null;
  const statements = [...new Set(sweeps.flatMap((s) => (s.claims ?? []).map((c) => c.statement)))];
  const table = el(doc, 'table', { id: 'compare-verdicts' });
  table.createTHead().insertRow().append(...['Claim', ...sweeps.map((s) => s.label)].map((h) => el(doc, 'th', {}, h)));
  const body = table.createTBody();
  for (const st of statements) {
    const tr = body.insertRow();
    tr.insertCell().textContent = st;
    for (const s of sweeps) {
      const c = s.claims?.find((x) => x.statement === st);
      const ci = c?.ci ? `, CI [${fmt(c.ci[0])}, ${fmt(c.ci[1])}]` : '';
      const td = tr.insertCell();
      td.textContent = !s.claims ? 'no verdict' : c ? `${c.result}${typeof c.effect === 'number' ? ` (effect ${fmt(c.effect)}${ci})` : ''}` : '–';
      if (c) td.className = `verdict ${String(c.result).replace(/[^\w-]/g, '')}`;
    }
  }
  return table;
}

/** The request-diff table: differing fields highlighted; shared ones listed after. */
export function diffTable(doc: Document, sweeps: CompareSweep[]): HTMLElement {
  const diff = requestDiff(sweeps);
  const table = el(doc, 'table', { id: 'compare-diff' });
  table.createTHead().insertRow().append(...['Request field', ...sweeps.map(sweepLabel)].map((h) => el(doc, 'th', {}, h)));
  const body = table.createTBody();
  for (const r of diff) {
    const tr = body.insertRow();
    tr.className = r.differs ? 'differs' : 'same';
    tr.insertCell().textContent = r.field;
    for (const v of r.values) tr.insertCell().textContent = v ?? '(default)';
  }
  return table;
}

/** Sweeps ticked on the list page; kept across its live refresh. */
export const picked = new Map<string, string>();

/** A tick box for one sweep of the list. */
export function pickBox(doc: Document, sweep: { id: string; experiment: string }, onChange: () => void): HTMLInputElement {
  const box = el(doc, 'input', { type: 'checkbox', class: 'pick', value: sweep.id, title: 'Tick sweeps of one experiment to compare them' });
  box.checked = picked.has(sweep.id);
  box.addEventListener('change', () => {
    if (box.checked) picked.set(sweep.id, sweep.experiment);
    else picked.delete(sweep.id);
    onChange();
  });
  return box;
}

/** Why the ticked set cannot be compared, or null when it can. */
export function pickProblem(): string | null {
  if (picked.size < 2) return 'tick two or more sweeps of one experiment';
  if (new Set(picked.values()).size > 1) return 'the ticked sweeps are of different experiments';
  return null;
}

export function compareHash(ids: string[]): string {
  return `#/compare?ids=${ids.map(encodeURIComponent).join(',')}`;
}

/** Ids from "#/compare?ids=a,b". */
export function idsFromHash(hash: string): string[] {
  const q = hash.split('?')[1] ?? '';
  return (new URLSearchParams(q).get('ids') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Fetches what the compare page needs and builds it; throws (→ the page's error line) on bad input. */
export async function comparePage(
  ids: string[],
  get: GetJson,
  ctx: FigureContext,
  /** The experiment's main metric; may ask the API (a spec experiment's figure hint). */
  main: (experiment: string) => Main | undefined | Promise<Main | undefined>,
): Promise<HTMLElement[]> {
  const doc = ctx.document;
  const error = (text: string) => [el(doc, 'h2', {}, 'Compare sweeps'), el(doc, 'p', { class: 'error' }, text)];
  if (ids.length < 2) return error('Give two or more sweep ids: #/compare?ids=a,b. On the Sweeps page, tick sweeps of one experiment and press Compare.');
  const path = (id: string, rest = '') => `/api/sweeps/${encodeURIComponent(id)}${rest}`;
  const summaries = await Promise.all(ids.map((id) => get<SweepSummary>(path(id))));
  const experiments = [...new Set(summaries.map((s) => s.experiment))];
  if (experiments.length > 1) return error(`These sweeps are of different experiments (${experiments.join(', ')}); compare sweeps of one experiment.`);
  const m = await main(experiments[0]);
  const sweeps: CompareSweep[] = await Promise.all(
    summaries.map(async (s) => {
      const [configs, { rows }] = await Promise.all([
        get<ConfigInfo[]>(path(s.id, '/configs')),
        m ? get<AggregateAnswer>(path(s.id, `/aggregate?metric=${m.metric}`)) : Promise.resolve<AggregateAnswer>({ rows: [] }),
      ]);
      return { ...s, configs, aggregate: rows };
    }),
  );
  // Verdicts are optional: a server without the route (or a sweep without a verdict yet) answers non-200.
  const verdicts = await Promise.all(sweeps.map((s) => get<VerdictAnswer>(path(s.id, '/verdict')).then((v) => (Array.isArray(v?.claims) ? v.claims : null), () => null)));
  const card = (id: string, ...children: Node[]) => el(doc, 'div', { class: 'card', id }, ...children);
  const figure = m ? compareFigure(sweeps, m, ctx) : el(doc, 'p', {}, `No main metric known for ${experiments[0]}.`);
  const figureCard = card('compare-figure', figure);
  figureCard.classList.add('figure');
  const out: HTMLElement[] = [
    el(doc, 'h2', {}, `Compare ${sweeps.length} sweeps of ${experiments[0]}`),
    figureCard,
    card('compare-requests', el(doc, 'b', {}, 'What differs in their requests'), diffTable(doc, sweeps)),
  ];
  const v = verdictTable(
    doc,
    sweeps.map((s, i) => ({ label: sweepLabel(s), claims: verdicts[i] })),
  );
  if (v) out.push(card('compare-verdict', el(doc, 'b', {}, 'Verdicts'), v));
  return out;
}
