import { describe, expect, it } from 'vitest';
import {
  documentToFlow,
  emptyDocument,
  flowToDocument,
  nextNodeId,
  parseDocument,
  type ScenarioDocument,
} from './scenario';
import { TEMPLATES } from './templates';

describe('scenario (de)serialisation', () => {
  it('bundles the six stages of the chapter from examples/, in order', () => {
    expect(TEMPLATES.map((t) => t.stage)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(TEMPLATES[2].slug).toBe('03-load-balancer');
    expect(TEMPLATES[2].title).toBe('A load balancer and two web servers');
  });

  it.each(TEMPLATES.map((t) => [t.slug, t.document] as const))(
    'turns %s into canvas nodes and back into the same document',
    (_slug, doc) => {
      const { nodes, edges } = documentToFlow(doc);
      const back = flowToDocument(doc, nodes, edges);
      expect(back).toEqual(doc);
    },
  );

  it('never writes React Flow internals into the document', () => {
    const doc = TEMPLATES[3].document;
    const { nodes, edges } = documentToFlow(doc);
    const touched = nodes.map((n) => ({
      ...n,
      selected: true,
      dragging: true,
      measured: { width: 170, height: 50 },
      internals: { z: 1000 },
    }));
    const out = flowToDocument(doc, touched, edges.map((e) => ({ ...e, selected: true, animated: true })));
    const text = JSON.stringify([out.nodes, out.edges]);
    for (const word of ['selected', 'dragging', 'measured', 'internals', 'animated', '"type"', 'className', '"data"']) {
      expect(text).not.toContain(word);
    }
    expect(out.edges.filter((e) => e.kind === 'replication')).toHaveLength(2);
  });

  it('keeps fields it does not edit (workload, failures, run) untouched', () => {
    const doc = parseDocument({ version: 1, nodes: [], edges: [], workload: { users: 42 }, failures: [{ action: 'kill', target: 'db' }] });
    expect(flowToDocument(doc, [], []).workload).toEqual({ users: 42 });
    expect(flowToDocument(doc, [], []).failures).toEqual([{ action: 'kill', target: 'db' }]);
  });

  it('rounds canvas positions so a file stays readable', () => {
    const doc: ScenarioDocument = { ...emptyDocument(), nodes: [{ id: 'users', kind: 'users' }] };
    const { nodes } = documentToFlow(doc);
    nodes[0].position = { x: 10.04, y: 20.96 };
    expect(flowToDocument(doc, nodes, []).nodes[0].position).toEqual({ x: 10, y: 21 });
  });

  it('refuses files that are not scenario documents, saying why', () => {
    expect(() => parseDocument([])).toThrow(/JSON object/);
    expect(() => parseDocument({ version: 2 })).toThrow(/version 1/);
    expect(() => parseDocument({ version: 1, nodes: {} })).toThrow(/lists/);
  });

  it('names new nodes after their kind, skipping ids in use', () => {
    expect(nextNodeId('server', ['web-1', 'web-3'])).toBe('web-2');
    expect(nextNodeId('load_balancer', [])).toBe('lb-1');
    expect(nextNodeId('users', [])).toBe('users');
    expect(nextNodeId('users', ['users'])).toBe('users-1');
  });
});
