/**
 * Which links make sense, decided the moment the user draws one. The rules mirror the
 * engine's validation (`simulation/validate.py`) so the canvas refuses what the engine would.
 */
import type { DocEdge, LinkKind, NodeKind, ScenarioDocument } from './scenario';
import { edgeId } from './scenario';

export type LinkVerdict = { ok: true; kind: LinkKind } | { ok: false; reason: string };

const NAMES: Record<NodeKind, string> = {
  users: 'the users',
  dns: 'a DNS',
  cdn: 'a CDN',
  load_balancer: 'a load balancer',
  server: 'a server',
  cache: 'a cache',
  database: 'a database',
  replica: 'a replica',
};

function reaches(edges: DocEdge[], from: string, to: string): boolean {
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length) {
    const at = stack.pop() as string;
    if (at === to) return true;
    if (seen.has(at)) continue;
    seen.add(at);
    for (const e of edges) if (e.from === at && (e.kind ?? 'request') === 'request') stack.push(e.to);
  }
  return false;
}

/** May a link go from `source` to `target` in `doc`? If so, of which kind; if not, why not. */
export function judgeLink(doc: ScenarioDocument, source: string, target: string): LinkVerdict {
  const src = doc.nodes.find((n) => n.id === source);
  const dst = doc.nodes.find((n) => n.id === target);
  if (!src || !dst) return { ok: false, reason: 'Both ends of a link must be components.' };
  if (source === target) return { ok: false, reason: 'A link cannot connect a component to itself.' };
  if (dst.kind === 'users') {
    return { ok: false, reason: 'Nothing sends requests to the users: they are where requests start.' };
  }
  if (doc.edges.some((e) => edgeId(e) === edgeId({ from: source, to: target }))) {
    return { ok: false, reason: `${source} is already linked to ${target}.` };
  }
  if (doc.edges.some((e) => e.from === target && e.to === source)) {
    return { ok: false, reason: `${target} already sends to ${source}; requests would go round in a cycle.` };
  }
  if (src.kind === 'database' && dst.kind === 'replica') {
    const primary = doc.edges.find((e) => e.to === target && e.kind === 'replication');
    if (primary) {
      return {
        ok: false,
        reason: `${target} already replicates from ${primary.from}; a replica has exactly one primary.`,
      };
    }
    return { ok: true, kind: 'replication' };
  }
  if (src.kind === 'database' || src.kind === 'replica') {
    return {
      ok: false,
      reason: `${NAMES[src.kind][0].toUpperCase()}${NAMES[src.kind].slice(1)} answers requests; it does not send them on${src.kind === 'database' ? ' (its only outgoing link is replication to a replica)' : ''}.`,
    };
  }
  if (reaches(doc.edges, target, source)) {
    return { ok: false, reason: `${target} already leads to ${source}; requests would go round in a cycle.` };
  }
  return { ok: true, kind: 'request' };
}
