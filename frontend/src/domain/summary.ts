/** One line that says what a component is set to, e.g. "2 × m5.large". */
import { paramFields } from './fields';
import type { DocNode, NodeKind } from './scenario';

const defaults = new Map<NodeKind, Record<string, unknown>>();

export function paramValue(node: Pick<DocNode, 'kind' | 'params'>, name: string): unknown {
  const given = node.params?.[name];
  if (given !== undefined && given !== null) return given;
  let d = defaults.get(node.kind);
  if (!d) {
    d = Object.fromEntries(paramFields(node.kind).map((f) => [f.name, f.default]));
    defaults.set(node.kind, d);
  }
  return d[name];
}

const fmt = (v: unknown) => (typeof v === 'number' ? v.toLocaleString('en-US') : String(v));

export function nodeSummary(node: DocNode, users?: number): string {
  const p = (name: string) => fmt(paramValue(node, name));
  switch (node.kind) {
    case 'users':
      return users === undefined ? 'client population' : `${fmt(users)} users`;
    case 'dns':
      return `${p('lookup_latency_ms')} ms lookup`;
    case 'cdn':
      return `${p('cache_size_gb')} GB edge cache`;
    case 'load_balancer':
      return `${p('algorithm').replace(/_/g, ' ')} · ${p('mode').replace(/_/g, '-')}`;
    case 'server':
      return `${p('instances')} × ${p('instance_size')}`;
    case 'cache':
      return `${p('instance_size')} · ${p('eviction').toUpperCase()}`;
    case 'database':
      return `${p('engine').toUpperCase()} · ${p('instance_size')}`;
    case 'replica':
      return `${p('replication')} · ${p('instance_size')}`;
  }
}
