/**
 * The dashboard: a list of sweeps with live progress, a form to start one, and per sweep
 * the experiment's figure (Observable Plot) refreshed while trials land. It talks to the
 * API only.
 */
import * as Plot from '@observablehq/plot';
import { FIGURES, figureFor } from './figures';
import { loadFigureData } from './figures/load';
import { isStalled } from './stalled';
import { createSweepForm, formExperiment, type PlanSweep, type PostResult } from './sweep-form';
import { loadVerdict } from './verdict';
import { settleCard, type SettleAnswer } from './settle';
import { AtomsweepError, createClient, type ExperimentSpecInput, type SweepRequest } from '../client';
import { elementsOf } from './dom';
import type { ExperimentDescription, SweepSummary } from './routes';
import { loadView, saveView, viewControls } from './figure-view';
import { download, exportButtons } from './figure-export';
import { compareHash, comparePage, idsFromHash, pickBox, pickProblem, picked } from './compare';
import { blankSpec, createSpecEditor, forkSpec, type PlanResult, type Schema, type SpecEditor } from './spec-editor';


const app = document.getElementById('app')!;
let timer: number | undefined;
const REFRESH_MS = 2000;

function token(): string | null {
  return localStorage.getItem('atomsweep-token');
}

/** The typed API client (client/index.ts): one error shape, the token, JSON on every mutation. */
const client = createClient(location.origin, { token });
/**
 * GET by path, for the modules that take an injectable getter (figures/load.ts, verdict.ts,
 * compare.ts: their tests pass fakes); they name each answer by its route's type (routes.ts).
 */
const api = client.get;

/** The experiment's own figure, else the generic one of its spec's hint (which needs its description). */
async function figureOf(experiment: string) {
  return FIGURES[experiment] ?? figureFor(await client.experiment(experiment));
}

/**
 * POST /api/sweeps for the form: returns 4xx bodies (their `issues` go next to the inputs)
 * instead of throwing. The body goes as the form built it or the user typed it (hence the
 * cast): the server checks it.
 */
async function postSweep(body: unknown): Promise<PostResult> {
  const res = await client.rpc.api.sweeps.$post({ json: body as SweepRequest, query: {} });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as PostResult['body'] };
}

/** The form's dry run: the same request with ?dryRun=1, for its power panel. */
const planSweep: PlanSweep = async (body, effect) => {
  const res = await client.rpc.api.sweeps.$post({ json: body as SweepRequest, query: { dryRun: '1', ...(effect ? { effect } : {}) } });
  return res.status === 200 ? { status: 200, body: await res.json() } : { status: res.status, body: {} };
};

const el = elementsOf(document);

/**
 * A download link. A plain link cannot carry the Bearer token, so with a token stored (a
 * server with PROTECT_READS) a click fetches the file with it and saves the answer instead.
 */
function downloadLink(href: string, filename: string, label: string): HTMLAnchorElement {
  const a = el('a', { href, download: filename }, label);
  a.addEventListener('click', async (event) => {
    const t = token();
    if (!t) return;
    event.preventDefault();
    try {
      const res = await fetch(href, { headers: { authorization: `Bearer ${t}` } });
      if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
      download(document, await res.blob(), filename);
    } catch (err) {
      a.title = `download failed: ${String(err)}`;
    }
  });
  return a;
}

function progress(s: SweepSummary): HTMLElement {
  const bar = el('span', { class: 'progress', title: `${s.counts.done} done, ${s.counts.failed} failed of ${s.counts.total}` });
  const done = el('span');
  done.style.width = `${(100 * s.counts.done) / Math.max(1, s.counts.total)}%`;
  bar.append(done);
  if (s.counts.failed) {
    const failed = el('span', { class: 'failed' });
    failed.style.width = `${(100 * s.counts.failed) / Math.max(1, s.counts.total)}%`;
    bar.append(failed);
    bar.style.display = 'inline-flex';
  }
  return bar;
}

function duration(ms: number | null): string {
  if (ms === null) return '–';
  const s = Math.round(ms / 1000);
  return s < 90 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

function counts(s: SweepSummary): string {
  const c = s.counts;
  return `${c.done}/${c.total} done · ${c.running} running · ${c.queued} queued · ${c.failed} failed${c.cancelled ? ` · ${c.cancelled} cancelled` : ''}${s.stale ? ` · ${s.stale} stale` : ''}${s.atRisk ? ` · ${s.atRisk} at risk (no heartbeat)` : ''}`;
}

/** Sweeps per page of the list: the API pages with a cursor, so a thousand sweeps cost one page each. */
const PAGE_SIZE = 50;

async function renderList(cursor?: string): Promise<void> {
  const page = await client.sweeps({ limit: PAGE_SIZE, cursor });
  const sweeps = page.sweeps;
  const pager = el(
    'p',
    { class: 'pager' },
    ...(cursor ? [el('a', { href: '#/sweeps', id: 'newest' }, '« newest'), ' '] : []),
    ...(page.next ? [el('a', { href: `#/sweeps?cursor=${encodeURIComponent(page.next)}`, id: 'older' }, 'older »')] : []),
  );
  const compare = el('button', { id: 'compare' }, 'Compare');
  const hint = el('span', { class: 'meta' });
  const update = () => {
    const problem = pickProblem();
    compare.disabled = problem !== null;
    hint.textContent = problem ? ` ${problem}` : ` ${picked.size} sweeps of ${[...picked.values()][0]}`;
  };
  compare.addEventListener('click', () => (location.hash = compareHash([...picked.keys()])));
  for (const id of [...picked.keys()]) if (!sweeps.some((s) => s.id === id)) picked.delete(id);
  update();
  const rows = sweeps.map((s) =>
    el(
      'tr',
      {},
      el('td', {}, pickBox(document, s, update)),
      el('td', {}, el('a', { href: `#/sweeps/${s.id}` }, s.id)),
      el('td', {}, s.experiment),
      el('td', {}, s.name ?? ''),
      el('td', {}, el('span', { class: `status ${s.status}` }, s.status)),
      el('td', {}, progress(s), ` ${s.counts.done}/${s.counts.total}`),
      el('td', {}, s.etaMs !== null ? `ETA ${duration(s.etaMs)}` : s.finishedAt ? `took ${duration(s.finishedAt - s.createdAt)}` : ''),
      el('td', { class: 'meta' }, new Date(s.createdAt).toLocaleString()),
    ),
  );
  const table = el(
    'table',
    { id: 'sweeps' },
    el('thead', {}, el('tr', {}, ...['', 'Sweep', 'Experiment', 'Name', 'Status', 'Progress', 'Time', 'Created'].map((h) => el('th', {}, h)))),
    el('tbody', {}, ...rows),
  );
  app.replaceChildren(
    el('h2', {}, 'Sweeps'),
    sweeps.length ? el('div', {}, el('p', {}, compare, hint), table, pager) : cursor ? pager : el('p', {}, 'No sweeps yet. ', el('a', { href: '#/new' }, 'Start one.')),
  );
}

/** An experiment's card: question, hypothesis, grid; run its default sweep, customise it, or fork its spec. */
function experimentCard(e: ExperimentDescription, error: HTMLElement, onItsPage = false): HTMLElement {
  const run = el('button', { class: 'primary', 'data-experiment': e.id }, 'Run default sweep');
  run.addEventListener('click', async () => {
    try {
      const res = await client.createSweep({ experiment: e.id });
      location.hash = `#/sweeps/${res.id}`;
    } catch (err) {
      error.textContent = String(err instanceof Error ? err.message : err);
    }
  });
  const title = `${e.id}: ${e.title}`;
  return el(
    'div',
    { class: 'card', 'data-card': e.id },
    // On its own page the page's heading names it.
    ...(onItsPage ? [] : [el('h3', {}, el('a', { href: `#/experiments/${e.id}` }, title), ...(e.custom ? [' ', el('span', { class: 'tag' }, 'custom')] : []))]),
    el('p', { class: 'question' }, e.question),
    el('p', {}, el('b', {}, 'Hypothesis: '), e.hypothesis),
    el('p', { class: 'meta' }, `grid: ${Object.entries(e.grid).map(([k, v]) => `${k} ∈ {${v.join(', ')}}`).join(' × ') || 'none'}`),
    run,
    ' ',
    el('a', { href: `#/new?experiment=${e.id}` }, 'customise…'),
    // Written as a spec (custom ones, and the built-ins written as data): it can be forked in the editor.
    ...(e.spec != null ? [' ', el('a', { class: 'button', href: `#/experiments/${e.id}/fork`, 'data-fork': e.id }, 'Fork')] : []),
  );
}

/** One experiment: its card and its latest sweeps. */
async function renderExperiment(id: string): Promise<void> {
  const [e, sweeps] = await Promise.all([client.experiment(id), client.sweeps({ limit: 20, experiment: id }).then((p) => p.sweeps)]);
  const error = el('pre', { class: 'error' });
  app.replaceChildren(
    el('h2', {}, `${e.id}: ${e.title}`, ...(e.custom ? [' ', el('span', { class: 'tag' }, 'custom')] : [])),
    error,
    experimentCard(e, error, true),
    el('div', { class: 'card' }, el('b', {}, 'Sweeps'), sweeps.length ? el('ul', {}, ...sweeps.map((s) => el('li', {}, el('a', { href: `#/sweeps/${s.id}` }, s.id), ` ${s.status} · ${s.counts.done}/${s.counts.total} · ${new Date(s.createdAt).toLocaleString()}`))) : el('p', { class: 'meta' }, 'None yet.')),
  );
}

let specEditor: SpecEditor | undefined;

/** The spec's dry run for the editor: its plan, or the 400's issues. */
async function planSpec(spec: unknown): Promise<PlanResult> {
  try {
    const p = await client.planExperiment(spec);
    return { ok: true, plan: { id: p.id, trials: p.trials, packs: p.packs, cpuSeconds: p.cpuSeconds, stored: p.stored, grid: p.grid, repeats: p.repeats } };
  } catch (err) {
    if (err instanceof AtomsweepError && err.status === 400) return { ok: false, issues: err.issues };
    throw err;
  }
}

/** The experiment editor: a fork of `from`'s spec, or a new spec. */
async function renderEditor(from?: string): Promise<void> {
  // json-editor is loaded with the page that needs it (its own chunk, scripts/build-dashboard.mjs).
  const [schema, source, mod] = await Promise.all([client.experimentSchema(), from ? client.experiment(from) : Promise.resolve(null), import('@json-editor/json-editor')]);
  if (source && source.spec == null) throw new Error(`${source.id} is written as code, not as a spec: it cannot be forked (customise its sweep instead)`);
  const start = source?.spec ? forkSpec(source.spec as Record<string, unknown>) : blankSpec();
  specEditor?.destroy();
  specEditor = createSpecEditor({
    document,
    // A CommonJS module: bundled, its exports are the namespace's default.
    JSONEditor: mod.JSONEditor ?? (mod as unknown as { default: typeof mod }).default.JSONEditor,
    schema: schema as Schema,
    start,
    plan: planSpec,
    create: async (spec) => {
      const made = await client.createExperiment(spec as ExperimentSpecInput);
      return { id: made.id, created: made.created };
    },
    run: async (experiment) => (await client.createSweep({ experiment })).id,
    started: (sweep) => (location.hash = `#/sweeps/${sweep}`),
  });
  app.replaceChildren(
    el('h2', {}, source ? `Fork of ${source.id}: ${source.title}` : 'New experiment'),
    el(
      'p',
      { class: 'meta' },
      'A spec: blocks with parameter values, what to record, the grid, repeats, claims and a figure hint. The server checks it as you type; ',
      el('b', {}, 'Create'),
      ' stores it (its id is the hash of its content), ',
      el('b', {}, 'Run'),
      ' starts its default sweep.',
    ),
    specEditor.element,
  );
}

async function renderCatalogue(cursor?: string): Promise<void> {
  // A page of experiments (the built-ins lead the first one); custom ones page on.
  const page = await client.experimentsPage({ limit: 50, cursor });
  const experiments = page.experiments;
  const error = el('pre', { class: 'error' });
  const cards = experiments.map((e) => experimentCard(e, error));
  const pager = el(
    'p',
    { class: 'pager' },
    ...(cursor ? [el('a', { href: '#/experiments' }, '« first'), ' '] : []),
    ...(page.next ? [el('a', { href: `#/experiments?cursor=${encodeURIComponent(page.next)}`, id: 'more-experiments' }, 'more »')] : []),
  );
  app.replaceChildren(el('h2', {}, 'Experiments'), error, ...cards, pager);
}

async function renderNew(experimentId?: string): Promise<void> {
  // The list (not per-trial data) is enough for the run-time estimate.
  const [experiments, sweeps] = await Promise.all([
    client.experiments(),
    client
      .sweeps({ limit: 200 })
      .then((p) => p.sweeps)
      .catch(() => []),
  ]);
  const form = createSweepForm({
    document,
    experiments: experiments.map(formExperiment),
    sweeps,
    initialExperiment: experimentId,
    post: postSweep,
    plan: planSweep,
    created: (id) => (location.hash = `#/sweeps/${id}`),
    token: { get: token, set: (v) => localStorage.setItem('atomsweep-token', v) },
  });
  app.replaceChildren(el('h2', {}, 'New sweep'), form.element);
}

async function renderSweep(id: string): Promise<boolean> {
  const sweep = await client.sweep(id);
  // Spec experiments (custom ones, exp13+) draw the generic figure of their hint: it needs the description first.
  const figure = await figureOf(sweep.experiment);
  const view = loadView(localStorage);
  // The verdict is computed server-side from the trials: ask for it (and the settle's state) while the figure's data loads.
  const verdict = loadVerdict(api, id);
  const settle = client.settleStatus(id).then(
    (a): SettleAnswer | { error: string } => a,
    (err: unknown) => ({ error: err instanceof Error ? err.message.split('\n')[0] : String(err) }),
  );
  const data = await loadFigureData(api, id, sweep.experiment, figure, { repeats: view.repeats });
  const { experiment } = data;
  const actions = el('p', {});
  const cancel = el('button', { id: 'cancel' }, 'Cancel');
  const retry = el('button', { id: 'retry' }, 'Retry failed/missing');
  cancel.addEventListener('click', () => client.cancel(id).then(() => route()).catch((e) => alert(e)));
  retry.addEventListener('click', () => client.retry(id).then(() => route()).catch((e) => alert(e)));
  if (['queued', 'running'].includes(sweep.status)) actions.append(cancel, ' ');
  const stalled = isStalled(sweep);
  if (sweep.counts.failed || sweep.stale || stalled || sweep.status === 'cancelled') actions.append(retry);
  const notice = stalled
    ? el(
        'p',
        { class: 'notice', id: 'stalled' },
        `No trial of this sweep has started or finished for ${duration(sweep.stalledMs)} while ${sweep.counts.queued} wait in the queue. ` +
          'If the server restarted (wrangler dev drops its in-memory queue when it reloads), Retry re-sends them; a re-sent trial never runs twice.',
      )
    : '';
  let figureNode: Node;
  try {
    // Nothing finished yet: figures would be empty axes, so say what will appear.
    const empty = data.aggregate.length === 0 && data.trials.length === 0;
    figureNode = !figure
      ? el('p', {}, 'No figure for this experiment yet.')
      : empty
        ? el('p', { class: 'pending' }, 'The figure appears when the first trial finishes.')
        : figure.render(data, { Plot, document, options: view });
  } catch (err) {
    figureNode = el('p', { class: 'error' }, `Figure could not be drawn yet: ${String(err)}`);
  }
  const headline = figure ? figure.headline(data) : [];
  const live = ['queued', 'running'].includes(sweep.status);
  const settleAnswer = await settle;
  const settleNode = settleCard({
    doc: document,
    answer: settleAnswer,
    verdict: (await verdict).verdict,
    sweepLive: live,
    start: (budget) => client.settle(id, budget),
    // Re-render: the page polls while the settle runs (route's live refresh).
    started: () => void route(),
  });
  app.replaceChildren(
    el('h2', {}, `${experiment.id}: ${experiment.title}`),
    el(
      'div',
      { class: 'card' },
      el('p', { class: 'question' }, experiment.question),
      el('p', {}, el('b', {}, 'Hypothesis: '), experiment.hypothesis),
      // A custom experiment has no notebook to compare with; its spec's note, if any, stands there.
      // The notebook's open questions (exp13–exp17, built-in specs) were never run by it: their
      // note says what this project's default sweep found.
      experiment.custom
        ? el('p', { class: 'meta' }, `Custom experiment (id ${experiment.id}, the hash of its spec)`, ...(experiment.conclusion ? [el('br'), el('b', {}, 'Note: '), experiment.conclusion] : []))
        : experiment.openQuestion
          ? el('p', {}, el('b', {}, 'An open question of the notebook; its default sweep found: '), experiment.conclusion)
          : el('p', {}, el('b', {}, 'The 2018 notebook concluded: '), experiment.conclusion),
      el('p', {}, el('a', { href: `#/experiments/${experiment.id}` }, 'Experiment page'), ...(experiment.spec != null ? [' ', el('a', { class: 'button', href: `#/experiments/${experiment.id}/fork`, 'data-fork': experiment.id }, 'Fork')] : [])),
    ),
    (await verdict).panel,
    ...(settleNode ? [settleNode] : []),
    el(
      'div',
      { class: 'card', id: 'sweep-status' },
      el('span', { class: `status ${sweep.status}` }, sweep.status),
      ' ',
      progress(sweep),
      ` ${counts(sweep)}`,
      el('div', { class: 'meta' }, `sweep ${sweep.id}${sweep.name ? ` (${sweep.name})` : ''} · seed ${sweep.seed} · ${sweep.repeats} repeats · ${sweep.etaMs !== null ? `ETA ${duration(sweep.etaMs)}` : sweep.finishedAt ? `took ${duration(sweep.finishedAt - sweep.createdAt)}` : ''}`),
      notice,
      actions,
    ),
    el('div', { class: 'card' }, el('b', {}, 'This sweep measured'), el('ul', { class: 'headline' }, ...(headline.length ? headline.map((h) => el('li', {}, h)) : [el('li', { class: 'pending' }, 'no finished trial yet')]))),
    el(
      'div',
      { class: 'card toolbar-row' },
      viewControls(document, view, (v) => {
        saveView(localStorage, v);
        route();
      }),
      el(
        'div',
        { class: 'toolbar', id: 'downloads' },
        'Download: ',
        downloadLink(`/api/sweeps/${id}/aggregate?format=csv`, `${id}-aggregate.csv`, 'aggregate CSV'),
        downloadLink(`/api/sweeps/${id}/trials?format=csv`, `${id}-trials.csv`, 'trials CSV'),
        downloadLink(`/api/sweeps/${id}/aggregate`, `${id}-aggregate.json`, 'JSON'),
        ...exportButtons(document, () => document.querySelector('#figure > *'), `${id}-${sweep.experiment}`),
      ),
    ),
    el('div', { class: 'card', id: 'figure' }, figureNode),
  );
  // Between a settle's rounds the sweep is done for a moment: keep polling until the settle stops.
  return live || ('settle' in settleAnswer && settleAnswer.settle?.status === 'running');
}

async function route(): Promise<void> {
  window.clearTimeout(timer);
  specEditor?.destroy();
  specEditor = undefined;
  const hash = location.hash || '#/';
  try {
    let live = true;
    const sweep = hash.match(/^#\/sweeps\/([\w.-]+)/);
    if (sweep) live = await renderSweep(sweep[1]);
    else if (hash.startsWith('#/compare')) {
      const parts = await comparePage(idsFromHash(hash), api, { Plot, document, options: loadView(localStorage) }, async (e) => (await figureOf(e))?.main);
      app.replaceChildren(...parts);
      live = false;
    } else if (hash === '#/new' || hash.startsWith('#/new?')) {
      await renderNew(new URLSearchParams(hash.slice(hash.indexOf('?') + 1)).get('experiment') ?? undefined);
      live = false;
    } else if (hash === '#/new-experiment') {
      await renderEditor();
      live = false;
    } else if (hash.match(/^#\/experiments\/[\w.-]+\/fork$/)) {
      await renderEditor(hash.split('/')[2]);
      live = false;
    } else if (hash.match(/^#\/experiments\/[\w.-]+$/)) {
      await renderExperiment(hash.split('/')[2]);
      live = false;
    } else if (hash === '#/experiments' || hash.startsWith('#/experiments?')) {
      await renderCatalogue(hash.includes('?') ? (new URLSearchParams(hash.slice(hash.indexOf('?') + 1)).get('cursor') ?? undefined) : undefined);
      live = false;
    } else await renderList(hash.startsWith('#/sweeps?') ? (new URLSearchParams(hash.slice(hash.indexOf('?') + 1)).get('cursor') ?? undefined) : undefined);
    // Live refresh while anything may still change.
    if (live) timer = window.setTimeout(route, REFRESH_MS);
  } catch (err) {
    app.replaceChildren(el('p', { class: 'error' }, String(err instanceof Error ? err.message : err)));
    timer = window.setTimeout(route, REFRESH_MS * 2);
  }
}

window.addEventListener('hashchange', route);
route();
