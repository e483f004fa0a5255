/**
 * The scenario document (format version 1, `simulation/scenario.py`) as the browser edits it,
 * and its conversion to and from React Flow's nodes and edges. The document never holds
 * React Flow's objects; the canvas is always derived from the document.
 */
import type { Edge as FlowEdge, Node as FlowNode } from '@xyflow/react';

export const NODE_KINDS = [
  'users',
  'dns',
  'cdn',
  'load_balancer',
  'server',
  'cache',
  'database',
  'replica',
] as const;
export type NodeKind = (typeof NODE_KINDS)[number];

export type Params = Record<string, unknown>;

export interface DocNode {
  id: string;
  kind: NodeKind;
  label?: string;
  position?: { x: number; y: number };
  zone?: string;
  params?: Params;
}

export type LinkKind = 'request' | 'replication';

export interface DocEdge {
  from: string;
  to: string;
  kind?: LinkKind;
  latency_ms?: number;
}

/** Fields other than nodes and edges (workload, failures, run …) pass through untouched. */
export interface ScenarioDocument {
  version: 1;
  name?: string;
  description?: string;
  nodes: DocNode[];
  edges: DocEdge[];
  [field: string]: unknown;
}

export interface ComponentData extends Record<string, unknown> {
  kind: NodeKind;
  label: string;
  zone: string;
  params: Params;
}

export type ComponentFlowNode = FlowNode<ComponentData, 'component'>;
export type LinkFlowEdge = FlowEdge<{ kind: LinkKind; latency_ms?: number }>;

export function emptyDocument(name = ''): ScenarioDocument {
  return { version: 1, name, description: '', nodes: [], edges: [] };
}

export const edgeId = (edge: Pick<DocEdge, 'from' | 'to'>): string => `${edge.from}->${edge.to}`;

/** Reads any JSON value as a document, keeping unknown fields; throws a sentence otherwise. */
export function parseDocument(value: unknown): ScenarioDocument {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error('A scenario file must hold a JSON object.');
  }
  const raw = value as Record<string, unknown>;
  if (raw.version !== 1) throw new Error('Only scenario format version 1 is supported.');
  const nodes = raw.nodes ?? [];
  const edges = raw.edges ?? [];
  if (!Array.isArray(nodes) || !Array.isArray(edges)) {
    throw new Error('"nodes" and "edges" must be lists.');
  }
  return { ...raw, version: 1, nodes: nodes as DocNode[], edges: edges as DocEdge[] };
}

export function toFlowNode(node: DocNode, selected = false): ComponentFlowNode {
  return {
    id: node.id,
    type: 'component',
    position: { x: node.position?.x ?? 0, y: node.position?.y ?? 0 },
    selected,
    data: {
      kind: node.kind,
      label: node.label ?? '',
      zone: node.zone ?? 'zone-a',
      params: node.params ?? {},
    },
  };
}

export function toFlowEdge(edge: DocEdge, selected = false): LinkFlowEdge {
  const kind = edge.kind ?? 'request';
  return {
    id: edgeId(edge),
    source: edge.from,
    target: edge.to,
    selected,
    type: 'default',
    className: kind === 'replication' ? 'link link-replication' : 'link',
    data: { kind, latency_ms: edge.latency_ms },
  };
}

export function documentToFlow(doc: ScenarioDocument): {
  nodes: ComponentFlowNode[];
  edges: LinkFlowEdge[];
} {
  return { nodes: doc.nodes.map((n) => toFlowNode(n)), edges: doc.edges.map((e) => toFlowEdge(e)) };
}

const round = (v: number) => Math.round(v * 10) / 10;

/** The document for a canvas: only what the format defines, never React Flow's fields. */
export function flowToDocument(
  base: ScenarioDocument,
  nodes: ComponentFlowNode[],
  edges: LinkFlowEdge[],
): ScenarioDocument {
  return {
    ...base,
    nodes: nodes.map((n) => {
      const out: DocNode = {
        id: n.id,
        kind: n.data.kind,
        position: { x: round(n.position.x), y: round(n.position.y) },
        zone: n.data.zone,
      };
      if (n.data.label) out.label = n.data.label;
      if (Object.keys(n.data.params).length > 0) out.params = n.data.params;
      return out;
    }),
    edges: edges.map((e) => {
      const out: DocEdge = { from: e.source, to: e.target };
      if (e.data?.kind === 'replication') out.kind = 'replication';
      if (e.data?.latency_ms !== undefined) out.latency_ms = e.data.latency_ms;
      return out;
    }),
  };
}

/** A fresh id for a new node of `kind`: `web-1`, `web-2` … skipping ids already taken. */
export function nextNodeId(kind: NodeKind, taken: Iterable<string>): string {
  const prefix = ID_PREFIX[kind];
  const used = new Set(taken);
  if (kind === 'users' && !used.has('users')) return 'users';
  for (let i = 1; ; i++) {
    const id = `${prefix}-${i}`;
    if (!used.has(id)) return id;
  }
}

const ID_PREFIX: Record<NodeKind, string> = {
  users: 'users',
  dns: 'dns',
  cdn: 'cdn',
  load_balancer: 'lb',
  server: 'web',
  cache: 'cache',
  database: 'db',
  replica: 'replica',
};
