/**
 * Reading grading results: the report's measured values against their targets in words,
 * a submission's progress, refusals in plain words, and the live list of submissions.
 */
import type { components } from '../api/schema';

export type Submission = components['schemas']['SubmissionOut'];

export interface CriterionResult {
  index: number;
  type: string;
  label: string;
  weight: number;
  passed: boolean;
  measured: unknown;
  target: unknown;
  why: string;
}

export interface Report {
  score: number;
  passed: boolean;
  criteria: CriterionResult[];
}

export function reportOf(submission: Pick<Submission, 'report'>): Report | null {
  const r = submission.report as Partial<Report> | null;
  return r && Array.isArray(r.criteria) ? (r as Report) : null;
}

const count = new Intl.NumberFormat('en');
const money = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const percent = (v: number) => `${(v * 100).toFixed(2)} %`;

/** "420 ms" against "below 200 ms": the measured value and the target in the criterion's unit. */
export function measuredText(result: Pick<CriterionResult, 'type' | 'measured' | 'target'>): {
  measured: string;
  target: string;
} {
  const m = num(result.measured);
  const t = num(result.target);
  const show = (v: number | null, f: (x: number) => string) => (v === null ? '—' : f(v));
  switch (result.type) {
    case 'latency':
      return { measured: show(m, (x) => `${count.format(Math.round(x))} ms`), target: show(t, (x) => `≤ ${count.format(x)} ms`) };
    case 'availability':
      return { measured: show(m, percent), target: show(t, (x) => `≥ ${percent(x)}`) };
    case 'error_rate':
      return { measured: show(m, percent), target: show(t, (x) => `< ${percent(x)}`) };
    case 'cost':
      return { measured: show(m, (x) => `$${money.format(x)}/month`), target: show(t, (x) => `≤ $${money.format(x)}/month`) };
    case 'max_users':
      return { measured: show(m, (x) => `${count.format(x)} users`), target: show(t, (x) => `≥ ${count.format(x)} users`) };
    case 'no_spof': {
      const nodes = Array.isArray(result.measured) ? (result.measured as string[]) : [];
      return { measured: nodes.length ? `SPOF: ${nodes.join(', ')}` : 'none', target: 'none' };
    }
    default:
      return { measured: JSON.stringify(result.measured), target: JSON.stringify(result.target) };
  }
}

/** The server's "why" as a sentence; `p99 …` keeps its lower-case p. */
export function sentence(why: string): string {
  const start = /^p\d/.test(why) ? why : why.charAt(0).toUpperCase() + why.slice(1);
  return start.endsWith('.') ? start : `${start}.`;
}

export const scoreText = (score: number | null | undefined): string =>
  score === null || score === undefined ? '—' : `${Math.round(score * 10) / 10} %`;

/** Where grading stands, in words. */
export function progressText(s: Pick<Submission, 'state' | 'units_done' | 'units_total' | 'failure_reason'>): string {
  switch (s.state) {
    case 'queued':
      return 'Queued: waiting for a worker…';
    case 'grading':
      return `Grading: ${s.units_done} of ${s.units_total} runs done…`;
    case 'graded':
      return 'Graded';
    case 'failed':
      return `Grading failed${s.failure_reason ? `: ${s.failure_reason}` : ''}`;
    default:
      return s.state;
  }
}

export const isFinished = (s: Pick<Submission, 'state'>): boolean => s.state === 'graded' || s.state === 'failed';

/** Adds or replaces a submission by id; newest first. */
export function upsertSubmission(list: Submission[], s: Submission): Submission[] {
  const rest = list.filter((x) => x.id !== s.id);
  return [s, ...rest].sort((a, b) => b.created_at.localeCompare(a.created_at));
}

/**
 * One refusal of a submission in plain words: `document.nodes[users]: is locked …` becomes
 * "users is locked …", `document.edges[a->b].to: …` becomes "the link a → b: …".
 */
export function plainReason(issue: { path?: string; msg: string }): string {
  const path = (issue.path ?? '').replace(/^document\.?/, '');
  const node = /^nodes\[([^\]]+)\](?:\.(?:params\.)?(.+))?$/.exec(path);
  if (node) {
    if (node[2]) return `${node[1]}, ${node[2].replace(/_/g, ' ')}: ${issue.msg}`;
    return issue.msg.startsWith('is ') ? `${node[1]} ${issue.msg}` : `${node[1]}: ${issue.msg}`;
  }
  const edge = /^edges\[([^\]]+)->([^\]]+)\](?:\.(.+))?$/.exec(path);
  if (edge) return `the link ${edge[1]} → ${edge[2]}${edge[3] ? ` (${edge[3]})` : ''}: ${issue.msg}`;
  if (!path || path === 'nodes') return capitalise(issue.msg);
  return `${path}: ${issue.msg}`;
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The reasons in an API refusal's body (`detail`: a sentence or a list of {path, msg}). */
export function refusalReasons(body: unknown, fallback: string): string[] {
  const detail = body !== null && typeof body === 'object' ? (body as { detail?: unknown }).detail : undefined;
  if (typeof detail === 'string') return [detail];
  if (Array.isArray(detail) && detail.length > 0) {
    return detail.map((d) =>
      d !== null && typeof d === 'object' && typeof (d as { msg?: unknown }).msg === 'string'
        ? plainReason(d as { path?: string; msg: string })
        : String(d),
    );
  }
  return [fallback];
}

/** What the design breaks of the exercise's bans and limits, checked in the browser as it changes. */
export function constraintWarnings(
  nodes: { id: string; kind: string }[],
  rules: { locked: string[]; banned: string[]; limits: Record<string, number> },
): string[] {
  const out: string[] = [];
  const ids = new Set(nodes.map((n) => n.id));
  for (const id of rules.locked) if (!ids.has(id)) out.push(`${id} is locked: put it back (undo) before you submit`);
  for (const n of nodes) if (rules.banned.includes(n.kind)) out.push(`${n.id}: ${n.kind.replace(/_/g, ' ')} is banned in this exercise`);
  for (const [kind, most] of Object.entries(rules.limits)) {
    const have = nodes.filter((n) => n.kind === kind).length;
    if (have > most) out.push(`${have} ${kind.replace(/_/g, ' ')} nodes; this exercise allows ${most}`);
  }
  return out;
}
