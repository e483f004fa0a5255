/**
 * What a node's or a link's menu offers during a run, as controls ready to send: kill, restore,
 * slow down, flush (caches and CDNs), resize, add another like it; cut and restore for links.
 * Only what the engine accepts for the node's kind and role is offered: a design the engine
 * refuses would teach that it can run.
 */
import { designRole, type DesignRole } from '../domain/roles';
import type { ControlAction, ControlFields } from '../live/controls';

/** The design edit that goes with a live change, so that the canvas shows what runs. */
export type DesignEdit =
  | { type: 'add_node'; node: DesignNode; edges: DesignEdge[] }
  | { type: 'instances'; node: string; instances: number }
  | { type: 'users'; users: number };

export interface MenuItem {
  key: string;
  action: ControlAction;
  fields: ControlFields;
  label: string;
  /** A hint of what will happen, shown as the item's title. */
  hint: string;
  danger?: boolean;
  /** The design edit made with it, taken back if the run refuses the change. */
  edit?: DesignEdit;
}

export interface DesignNode {
  id: string;
  kind: string;
  label?: string;
  zone?: string;
  position?: { x: number; y: number };
  params?: Record<string, unknown>;
}

export interface DesignEdge {
  from: string;
  to: string;
  kind?: string;
  latency_ms?: number;
}

/** Only servers have instances (the engine refuses `instances` on any other kind). */
const SCALABLE = new Set(['server']);
const FLUSHABLE = new Set(['cache', 'cdn']);
export const SLOW_FACTORS = [2, 5, 10];

/** Whether one more node like this one makes a design the engine runs. */
export function canAddLike(kind: string, role: DesignRole): boolean {
  // A second database would be a second primary (its replicas would have two, which the
  // engine refuses) or hold a different half of the data; a server that keeps its own data
  // would have a sibling holding another copy.
  return kind !== 'users' && kind !== 'database' && role !== 'primary' && role !== 'keeps-data';
}

/** Why the menu offers no way to clone the node, in one sentence; null when it does. */
export function cloneNote(node: { id: string; kind: string }, role: DesignRole): string | null {
  if (role === 'primary') {
    return `A copy of ${node.id} would be a second primary: every write needs the one place that holds the data. Add read replicas to share the reads.`;
  }
  if (role === 'keeps-data') {
    return `${node.id} keeps its data on the server itself, so a copy would hold different data. Move the data to a database first, then add servers behind a load balancer.`;
  }
  return null;
}

/**
 * The node's items; `alive` (from the frame) decides between kill and restore first, `role`
 * (from the design, see `designRole`) what may be scaled.
 */
export function nodeMenuItems(node: { id: string; kind: string }, alive: boolean, instances?: number, role: DesignRole = null): MenuItem[] {
  const target = node.id;
  const items: MenuItem[] = [];
  if (node.kind === 'users') return items;
  if (alive) {
    items.push({ key: 'kill', action: 'kill', fields: { target }, label: 'Kill', hint: `Every instance of ${target} dies now.`, danger: true });
    if (instances !== undefined && instances > 1) {
      items.push({ key: 'kill-one', action: 'kill', fields: { target, instances: 1 }, label: 'Kill one instance', hint: `One of ${target}'s ${instances} instances dies.`, danger: true });
    }
  }
  items.push({ key: 'restore', action: 'restore', fields: { target }, label: 'Restore', hint: `${target} comes back healthy.` });
  for (const factor of SLOW_FACTORS) {
    items.push({ key: `slow-${factor}`, action: 'slow', fields: { target, factor }, label: `Slow down ×${factor}`, hint: `Service times at ${target} × ${factor}.` });
  }
  items.push({ key: 'slow-1', action: 'slow', fields: { target, factor: 1 }, label: 'Normal speed', hint: `Service times at ${target} back to normal.` });
  if (FLUSHABLE.has(node.kind)) {
    items.push({ key: 'flush', action: 'flush', fields: { target }, label: 'Flush', hint: `${target} is emptied and warms up again; misses go on to the next tier.` });
  }
  if (SCALABLE.has(node.kind) && instances !== undefined) {
    if (role !== 'keeps-data') {
      const grown = instances + 1;
      items.push({ key: 'grow', action: 'resize', fields: { target, instances: grown }, label: `Scale out to ${grown}`, hint: `${target} gets one more instance.`, edit: { type: 'instances', node: target, instances: grown } });
    }
    if (instances > 1) {
      const shrunk = instances - 1;
      items.push({ key: 'shrink', action: 'resize', fields: { target, instances: shrunk }, label: `Scale in to ${shrunk}`, hint: `${target} loses one instance.`, edit: { type: 'instances', node: target, instances: shrunk } });
    }
  }
  return items;
}

export function edgeMenuItems(from: string, to: string): MenuItem[] {
  const target = `${from}->${to}`;
  return [
    { key: 'cut', action: 'cut', fields: { target }, label: 'Cut the link', hint: `Requests from ${from} to ${to} fail.`, danger: true },
    { key: 'restore', action: 'restore', fields: { target }, label: 'Restore the link', hint: `${from} reaches ${to} again.` },
  ];
}

/** A fresh id like the node's: web-1 → web-3 when web-2 is taken. */
export function siblingId(id: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  const m = /^(.*?)-?(\d+)$/.exec(id);
  const stem = m ? m[1] : id;
  for (let i = m ? Number(m[2]) + 1 : 2; ; i++) {
    const candidate = `${stem}-${i}`;
    if (!used.has(candidate)) return candidate;
  }
}

/**
 * An `add_node` control for one more node like `nodeId`, linked the same way (a third web
 * server behind the load balancer, using the same database). Null when the node is unknown or
 * can't be cloned (see `canAddLike`).
 */
export function addLikeChange(
  doc: { nodes: DesignNode[]; edges: DesignEdge[] },
  nodeId: string,
): { node: DesignNode; edges: DesignEdge[] } | null {
  const original = doc.nodes.find((n) => n.id === nodeId);
  if (!original || !canAddLike(original.kind, designRole(doc, nodeId))) return null;
  const id = siblingId(nodeId, doc.nodes.map((n) => n.id));
  const position = original.position ? { x: original.position.x, y: original.position.y + 120 } : undefined;
  const node: DesignNode = { ...original, id, label: undefined, position };
  if (node.label === undefined) delete node.label;
  if (node.position === undefined) delete node.position;
  const edges = doc.edges
    .filter((e) => e.from === nodeId || e.to === nodeId)
    .map((e) => ({ ...e, from: e.from === nodeId ? id : e.from, to: e.to === nodeId ? id : e.to }));
  return { node, edges };
}
