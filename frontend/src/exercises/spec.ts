/**
 * An exercise's specification (`simulation/grading.py`, ExerciseSpec) and the authoring form's
 * model of it: the form keeps what a person types (percentages, blank limits), and
 * `specFromForm` turns it into the JSON the server validates, with the reasons it cannot.
 */
import { NODE_KINDS, type NodeKind, type ScenarioDocument } from '../domain/scenario';

export type RequestClass = 'all' | 'static' | 'read' | 'write';
export type SpofClass = 'any' | 'static' | 'read' | 'write';

export type Criterion =
  | { type: 'latency'; weight: number; percentile: 50 | 95 | 99; below_ms: number; users: number; request_class: RequestClass }
  | { type: 'availability'; weight: number; at_least: number; drill: string }
  | { type: 'error_rate'; weight: number; below: number; users?: number | null; drill?: string | null }
  | { type: 'no_spof'; weight: number; request_class: SpofClass }
  | { type: 'cost'; weight: number; below_per_month: number }
  | { type: 'max_users'; weight: number; at_least: number };

export type CriterionType = Criterion['type'];
export const CRITERION_TYPES: CriterionType[] = ['latency', 'availability', 'error_rate', 'no_spof', 'cost', 'max_users'];

export const FAILURE_ACTIONS = ['kill', 'restore', 'slow', 'flush', 'cut', 'zone_down', 'zone_up'] as const;
export type FailureAction = (typeof FAILURE_ACTIONS)[number];

export interface Failure {
  action: FailureAction;
  target: string;
  at_s: number;
  factor?: number;
  [field: string]: unknown;
}

export interface Drill {
  name: string;
  users?: number | null;
  duration_s: number;
  failures: Failure[];
}

export interface Mix {
  static: number;
  read: number;
  write: number;
}

export interface Workload {
  users: number;
  requests_per_user_per_s: number;
  mix: Mix;
  [field: string]: unknown;
}

export interface ExerciseSpec {
  starting_design: ScenarioDocument;
  locked: string[];
  banned: NodeKind[];
  limits: Partial<Record<NodeKind, number>>;
  workload?: Workload | null;
  drills: Drill[];
  criteria: Criterion[];
  steady_duration_s?: number;
}

/** A criterion as the form holds it: every field of every type, shares as percentages. */
export interface CriterionForm {
  type: CriterionType;
  weight: number;
  percentile: 50 | 95 | 99;
  below_ms: number;
  users: number;
  request_class: RequestClass;
  spof_class: SpofClass;
  /** availability: at least this %; error_rate: below this %. */
  percent: number;
  /** error_rate: measured in this drill ('' = steady state at `users`); availability: its drill. */
  drill: string;
  below_per_month: number;
  at_least_users: number;
}

export interface ExerciseForm {
  title: string;
  brief_md: string;
  starting_design: ScenarioDocument | null;
  /** Where the starting design came from, for the picker: `template:<slug>`, `design:<id>` or `kept`. */
  source: string;
  locked: string[];
  banned: NodeKind[];
  /** Most nodes of a kind; blank for no limit. */
  limits: Partial<Record<NodeKind, string>>;
  set_workload: boolean;
  /** The traffic the form's fields are laid over (key popularity, shape … kept as they are). */
  workload_base: Partial<Workload>;
  workload: { users: number; requests_per_user_per_s: number; static: number; read: number; write: number };
  drills: Drill[];
  criteria: CriterionForm[];
  steady_duration_s?: number;
}

export interface FormIssue {
  path: string;
  msg: string;
}

export function newCriterion(type: CriterionType, drills: Drill[] = []): CriterionForm {
  return {
    type,
    weight: 1,
    percentile: 99,
    below_ms: 200,
    users: 1000,
    request_class: 'all',
    spof_class: 'any',
    percent: type === 'availability' ? 99 : 1,
    drill: type === 'availability' ? (drills[0]?.name ?? '') : '',
    below_per_month: 2000,
    at_least_users: 100000,
  };
}

export function newDrill(taken: string[]): Drill {
  let n = taken.length + 1;
  while (taken.includes(`drill ${n}`)) n += 1;
  return { name: `drill ${n}`, users: null, duration_s: 300, failures: [{ action: 'kill', target: '', at_s: 60 }] };
}

export function emptyForm(): ExerciseForm {
  return {
    title: '',
    brief_md: '',
    starting_design: null,
    source: '',
    locked: [],
    banned: [],
    limits: {},
    set_workload: true,
    workload_base: {},
    workload: { users: 1000, requests_per_user_per_s: 0.2, static: 50, read: 45, write: 5 },
    drills: [],
    criteria: [newCriterion('no_spof')],
  };
}

/** Rounds away binary noise: 99.9 / 100 is 0.999, not 0.9990000000000001. */
const share = (percent: number): number => Number((percent / 100).toFixed(8));
const percentOf = (fraction: number): number => Number((fraction * 100).toFixed(6));

function workloadOf(doc: ScenarioDocument | null): Partial<Workload> {
  const w = doc?.workload;
  return w !== null && typeof w === 'object' ? (w as Partial<Workload>) : {};
}

/** The traffic fields the form shows, read from a design's own workload (or the defaults). */
export function workloadFormOf(doc: ScenarioDocument | null): ExerciseForm['workload'] {
  const w = workloadOf(doc);
  const mix = w.mix ?? { static: 0.5, read: 0.45, write: 0.05 };
  return {
    users: w.users ?? 10000,
    requests_per_user_per_s: w.requests_per_user_per_s ?? 0.2,
    static: percentOf(mix.static),
    read: percentOf(mix.read),
    write: percentOf(mix.write),
  };
}

/** A new starting design: locks of nodes it lacks are dropped; its traffic fills the form. */
export function withStartingDesign(form: ExerciseForm, doc: ScenarioDocument, source: string): ExerciseForm {
  const ids = new Set(doc.nodes.map((n) => n.id));
  return {
    ...form,
    starting_design: doc,
    source,
    locked: form.locked.filter((id) => ids.has(id)),
    workload_base: workloadOf(doc),
    workload: workloadFormOf(doc),
  };
}

function criterionFromForm(c: CriterionForm): Criterion {
  const weight = c.weight;
  switch (c.type) {
    case 'latency':
      return { type: 'latency', weight, percentile: c.percentile, below_ms: c.below_ms, users: c.users, request_class: c.request_class };
    case 'availability':
      return { type: 'availability', weight, at_least: share(c.percent), drill: c.drill };
    case 'error_rate':
      return c.drill
        ? { type: 'error_rate', weight, below: share(c.percent), drill: c.drill }
        : { type: 'error_rate', weight, below: share(c.percent), users: c.users };
    case 'no_spof':
      return { type: 'no_spof', weight, request_class: c.spof_class };
    case 'cost':
      return { type: 'cost', weight, below_per_month: c.below_per_month };
    case 'max_users':
      return { type: 'max_users', weight, at_least: c.at_least_users };
  }
}

function criterionToForm(c: Criterion): CriterionForm {
  const base = { ...newCriterion(c.type), weight: c.weight ?? 1 };
  switch (c.type) {
    case 'latency':
      return { ...base, percentile: c.percentile ?? 99, below_ms: c.below_ms, users: c.users, request_class: c.request_class ?? 'all' };
    case 'availability':
      return { ...base, percent: percentOf(c.at_least), drill: c.drill };
    case 'error_rate':
      return { ...base, percent: percentOf(c.below), drill: c.drill ?? '', users: c.users ?? base.users };
    case 'no_spof':
      return { ...base, spof_class: c.request_class ?? 'any' };
    case 'cost':
      return { ...base, below_per_month: c.below_per_month };
    case 'max_users':
      return { ...base, at_least_users: c.at_least };
  }
}

const bad = (n: number) => !Number.isFinite(n);

/** The spec the form describes, or every reason it does not describe one yet. */
export function specFromForm(form: ExerciseForm): { spec: ExerciseSpec | null; issues: FormIssue[] } {
  const issues: FormIssue[] = [];
  if (!form.title.trim()) issues.push({ path: 'title', msg: 'give the exercise a title' });
  if (form.starting_design === null) {
    issues.push({ path: 'starting_design', msg: 'pick a starting design' });
  }
  const limits: Partial<Record<NodeKind, number>> = {};
  for (const kind of NODE_KINDS) {
    const raw = (form.limits[kind] ?? '').trim();
    if (!raw) continue;
    const most = Number(raw);
    if (!Number.isInteger(most) || most < 0) {
      issues.push({ path: `limits.${kind}`, msg: 'must be a whole number, 0 or more' });
    } else {
      limits[kind] = most;
    }
  }
  let workload: Workload | null = null;
  if (form.set_workload) {
    const w = form.workload;
    if (bad(w.users) || w.users < 0 || !Number.isInteger(w.users)) {
      issues.push({ path: 'workload.users', msg: 'must be a whole number, 0 or more' });
    }
    if (bad(w.requests_per_user_per_s) || w.requests_per_user_per_s < 0) {
      issues.push({ path: 'workload.requests_per_user_per_s', msg: 'must be 0 or more' });
    }
    const sum = w.static + w.read + w.write;
    if ([w.static, w.read, w.write].some((x) => bad(x) || x < 0) || Math.abs(sum - 100) > 1e-6) {
      issues.push({ path: 'workload.mix', msg: `static, read and write must add up to 100 % (now ${Number(sum.toFixed(4))} %)` });
    }
    workload = {
      ...form.workload_base,
      users: w.users,
      requests_per_user_per_s: w.requests_per_user_per_s,
      mix: { static: share(w.static), read: share(w.read), write: share(w.write) },
    };
  }
  const names = form.drills.map((d) => d.name.trim());
  form.drills.forEach((d, i) => {
    if (!names[i]) issues.push({ path: `drills[${i}].name`, msg: 'give the drill a name' });
    else if (names.indexOf(names[i]) !== i) issues.push({ path: `drills[${i}].name`, msg: `"${names[i]}" is used twice` });
    if (bad(d.duration_s) || d.duration_s <= 0) issues.push({ path: `drills[${i}].duration_s`, msg: 'must be more than 0 s' });
    d.failures.forEach((f, j) => {
      if (!f.target.trim()) issues.push({ path: `drills[${i}].failures[${j}].target`, msg: 'say what fails' });
      if (bad(f.at_s) || f.at_s < 0) issues.push({ path: `drills[${i}].failures[${j}].at_s`, msg: 'must be 0 s or later' });
    });
  });
  if (form.criteria.length === 0) issues.push({ path: 'criteria', msg: 'add at least one pass criterion' });
  form.criteria.forEach((c, i) => {
    if (bad(c.weight) || c.weight <= 0) issues.push({ path: `criteria[${i}].weight`, msg: 'must be more than 0' });
    if (c.type === 'availability' && !names.includes(c.drill.trim())) {
      issues.push({ path: `criteria[${i}].drill`, msg: 'pick the drill it is measured in' });
    }
    if (c.type === 'error_rate' && c.drill && !names.includes(c.drill.trim())) {
      issues.push({ path: `criteria[${i}].drill`, msg: `no drill named "${c.drill}"` });
    }
    if ((c.type === 'availability' || c.type === 'error_rate') && (bad(c.percent) || c.percent < 0 || c.percent > 100)) {
      issues.push({ path: `criteria[${i}].percent`, msg: 'must be between 0 and 100 %' });
    }
  });
  if (issues.length > 0 || form.starting_design === null) return { spec: null, issues };

  const spec: ExerciseSpec = {
    starting_design: form.starting_design,
    locked: form.locked,
    banned: form.banned,
    limits,
    workload,
    drills: form.drills.map((d) => ({
      name: d.name.trim(),
      users: d.users ?? null,
      duration_s: d.duration_s,
      // Fields the form does not show (a kill's `instances` …) pass through untouched.
      failures: d.failures.map(({ factor, ...f }) => ({
        ...f,
        target: f.target.trim(),
        ...(f.action === 'slow' ? { factor: factor ?? 3 } : {}),
      })),
    })),
    criteria: form.criteria.map(criterionFromForm),
  };
  if (form.steady_duration_s !== undefined) spec.steady_duration_s = form.steady_duration_s;
  return { spec, issues };
}

/** The form for an exercise saved before. */
export function formFromExercise(exercise: { title: string; brief_md: string; spec: unknown }): ExerciseForm {
  const spec = exercise.spec as ExerciseSpec;
  const limits: ExerciseForm['limits'] = {};
  for (const [kind, most] of Object.entries(spec.limits ?? {})) limits[kind as NodeKind] = String(most);
  return {
    title: exercise.title,
    brief_md: exercise.brief_md,
    starting_design: spec.starting_design,
    source: 'kept',
    locked: spec.locked ?? [],
    banned: spec.banned ?? [],
    limits,
    set_workload: spec.workload != null,
    workload_base: spec.workload ?? workloadOf(spec.starting_design),
    workload: workloadFormOf(spec.workload ? { ...spec.starting_design, workload: spec.workload } : spec.starting_design),
    drills: (spec.drills ?? []).map((d) => ({ ...d, users: d.users ?? null, failures: d.failures.map((f) => ({ ...f })) })),
    criteria: spec.criteria.map(criterionToForm),
    steady_duration_s: spec.steady_duration_s,
  };
}

const count = new Intl.NumberFormat('en');
const pct = (fraction: number) => `${(fraction * 100).toFixed(2)} %`;

/** The criterion in a sentence, as the server labels it (simulation/grading.py). */
export function criterionLabel(c: Criterion): string {
  switch (c.type) {
    case 'latency': {
      // Saved specs may leave out fields that have defaults on the server.
      const scope = (c.request_class ?? 'all') === 'all' ? '' : ` for ${c.request_class}s`;
      return `p${c.percentile ?? 99} latency${scope} below ${c.below_ms} ms at ${count.format(c.users)} users`;
    }
    case 'availability':
      return `availability at least ${pct(c.at_least)} during '${c.drill}'`;
    case 'error_rate':
      return `error rate below ${pct(c.below)} ${c.drill ? `during '${c.drill}'` : `at ${count.format(c.users ?? 0)} users`}`;
    case 'no_spof':
      return `no single point of failure${(c.request_class ?? 'any') === 'any' ? '' : ` for ${c.request_class}s`}`;
    case 'cost':
      return `cost at most $${count.format(Math.round(c.below_per_month))} a month`;
    case 'max_users':
      return `carries at least ${count.format(c.at_least)} users`;
  }
}

export function formCriterionLabel(c: CriterionForm): string {
  return criterionLabel(criterionFromForm(c));
}
