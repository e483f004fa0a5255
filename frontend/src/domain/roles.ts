/**
 * A node's role in the design, read from its kind and links: a database is the primary (every
 * write lands there), a replica copies a primary through a replication link, and a server with
 * no database behind it keeps its data on itself. What may be cloned during a run follows.
 */
export type DesignRole = 'primary' | 'replica' | 'keeps-data' | null;

/** What the roles are read from: a scenario document or the run menu's view of it. */
interface Design {
  nodes: { id: string; kind: string }[];
  edges: { from: string; to: string; kind?: string }[];
  workload?: unknown;
}

/** The scenario format's default workload.mix.write. */
const DEFAULT_WRITE_SHARE = 0.05;

function writeShare(doc: Design): number {
  const mix = (doc.workload as { mix?: { write?: unknown } } | undefined)?.mix;
  return typeof mix?.write === 'number' ? mix.write : DEFAULT_WRITE_SHARE;
}

/** Whether a database (or a replica) is reachable from `id` along request links. */
export function hasDatabaseBehind(doc: Design, id: string): boolean {
  const kinds = new Map(doc.nodes.map((n) => [n.id, n.kind]));
  const seen = new Set([id]);
  const todo = [id];
  while (todo.length > 0) {
    const at = todo.pop() as string;
    for (const e of doc.edges) {
      if (e.from !== at || e.kind === 'replication' || seen.has(e.to)) continue;
      const kind = kinds.get(e.to);
      if (kind === 'database' || kind === 'replica') return true;
      seen.add(e.to);
      todo.push(e.to);
    }
  }
  return false;
}

/**
 * The node's role as the design draws it. A server keeps its data only when the design has
 * writes at all: a server that only reads may be cloned freely (the engine's rule, see
 * `simulation/validate.py`, `_check_state`).
 */
export function designRole(doc: Design, id: string): DesignRole {
  const node = doc.nodes.find((n) => n.id === id);
  if (!node) return null;
  if (node.kind === 'database') return 'primary';
  if (node.kind === 'replica' || doc.edges.some((e) => e.to === id && e.kind === 'replication')) return 'replica';
  if (node.kind === 'server' && writeShare(doc) > 0 && !hasDatabaseBehind(doc, id)) return 'keeps-data';
  return null;
}
