/**
 * The design being edited: the scenario document (undoable with zundo) and the selection
 * (not undoable). Every edit goes through an action here, so undo and autosave see them all.
 */
import { temporal } from 'zundo';
import { create } from 'zustand';
import { judgeLink, type LinkVerdict } from '../domain/rules';
import {
  edgeId,
  emptyDocument,
  nextNodeId,
  type DocEdge,
  type DocNode,
  type NodeKind,
  type ScenarioDocument,
} from '../domain/scenario';

export interface Clipboard {
  nodes: DocNode[];
  edges: DocEdge[];
}

export interface DesignState {
  doc: ScenarioDocument;
  selectedNodes: string[];
  selectedEdges: string[];
  clipboard: Clipboard | null;

  /** Replace the document (opening a design); forgets the undo history. */
  load: (doc: ScenarioDocument) => void;
  addNode: (kind: NodeKind, position: { x: number; y: number }) => string;
  updateNode: (id: string, patch: Partial<Pick<DocNode, 'label' | 'zone'>>) => void;
  setParam: (id: string, name: string, value: unknown) => void;
  moveNodes: (positions: Record<string, { x: number; y: number }>) => void;
  /** Links two nodes if the link makes sense; the verdict says which kind, or why not. */
  connect: (source: string, target: string) => LinkVerdict;
  setEdgeLatency: (id: string, latency: number | undefined) => void;
  remove: (nodeIds: string[], edgeIds: string[]) => void;
  removeSelection: () => void;
  select: (nodeIds: string[], edgeIds: string[]) => void;
  selectAll: () => void;
  copySelection: () => number;
  paste: () => number;
  /** Drags make one undo step: call at the start and the end of a drag. */
  beginDrag: () => void;
  endDrag: () => void;
}

const PASTE_OFFSET = 40;
let dragStart: { doc: ScenarioDocument } | null = null;

const withNodes = (doc: ScenarioDocument, nodes: DocNode[]): ScenarioDocument => ({ ...doc, nodes });

export const useDesign = create<DesignState>()(
  temporal(
    (set, get) => ({
      doc: emptyDocument(),
      selectedNodes: [],
      selectedEdges: [],
      clipboard: null,

      load: (doc) => {
        set({ doc, selectedNodes: [], selectedEdges: [] });
        useDesign.temporal.getState().clear();
      },

      addNode: (kind, position) => {
        const { doc } = get();
        const id = nextNodeId(
          kind,
          doc.nodes.map((n) => n.id),
        );
        const node: DocNode = {
          id,
          kind,
          position: { x: Math.round(position.x), y: Math.round(position.y) },
          zone: 'zone-a',
        };
        set({ doc: withNodes(doc, [...doc.nodes, node]), selectedNodes: [id], selectedEdges: [] });
        return id;
      },

      updateNode: (id, patch) => {
        const { doc } = get();
        set({
          doc: withNodes(
            doc,
            doc.nodes.map((n) => (n.id === id ? { ...n, ...patch } : n)),
          ),
        });
      },

      setParam: (id, name, value) => {
        const { doc } = get();
        set({
          doc: withNodes(
            doc,
            doc.nodes.map((n) => {
              if (n.id !== id) return n;
              const params = { ...(n.params ?? {}) };
              if (value === undefined) delete params[name];
              else params[name] = value;
              return { ...n, params };
            }),
          ),
        });
      },

      moveNodes: (positions) => {
        const { doc } = get();
        let changed = false;
        const nodes = doc.nodes.map((n) => {
          const p = positions[n.id];
          if (!p) return n;
          changed = true;
          return { ...n, position: { x: Math.round(p.x), y: Math.round(p.y) } };
        });
        if (changed) set({ doc: withNodes(doc, nodes) });
      },

      connect: (source, target) => {
        const { doc } = get();
        const verdict = judgeLink(doc, source, target);
        if (!verdict.ok) return verdict;
        const edge: DocEdge = { from: source, to: target };
        if (verdict.kind === 'replication') edge.kind = 'replication';
        set({
          doc: { ...doc, edges: [...doc.edges, edge] },
          selectedNodes: [],
          selectedEdges: [edgeId(edge)],
        });
        return verdict;
      },

      setEdgeLatency: (id, latency) => {
        const { doc } = get();
        set({
          doc: {
            ...doc,
            edges: doc.edges.map((e) => {
              if (edgeId(e) !== id) return e;
              const next = { ...e };
              if (latency === undefined) delete next.latency_ms;
              else next.latency_ms = latency;
              return next;
            }),
          },
        });
      },

      remove: (nodeIds, edgeIds) => {
        if (nodeIds.length === 0 && edgeIds.length === 0) return;
        const { doc, selectedNodes, selectedEdges } = get();
        const gone = new Set(nodeIds);
        const goneEdges = new Set(edgeIds);
        const edges = doc.edges.filter(
          (e) => !goneEdges.has(edgeId(e)) && !gone.has(e.from) && !gone.has(e.to),
        );
        set({
          doc: { ...doc, nodes: doc.nodes.filter((n) => !gone.has(n.id)), edges },
          selectedNodes: selectedNodes.filter((id) => !gone.has(id)),
          selectedEdges: selectedEdges.filter((id) => edges.some((e) => edgeId(e) === id)),
        });
      },

      removeSelection: () => {
        const { selectedNodes, selectedEdges, remove } = get();
        remove(selectedNodes, selectedEdges);
      },

      select: (nodeIds, edgeIds) => {
        const { selectedNodes, selectedEdges } = get();
        if (same(selectedNodes, nodeIds) && same(selectedEdges, edgeIds)) return;
        set({ selectedNodes: nodeIds, selectedEdges: edgeIds });
      },

      selectAll: () => {
        const { doc } = get();
        set({ selectedNodes: doc.nodes.map((n) => n.id), selectedEdges: doc.edges.map(edgeId) });
      },

      copySelection: () => {
        const { doc, selectedNodes } = get();
        const ids = new Set(selectedNodes);
        const nodes = doc.nodes.filter((n) => ids.has(n.id));
        if (nodes.length === 0) return 0;
        const edges = doc.edges.filter((e) => ids.has(e.from) && ids.has(e.to));
        set({ clipboard: structuredClone({ nodes, edges }) });
        return nodes.length;
      },

      paste: () => {
        const { doc, clipboard } = get();
        if (!clipboard) return 0;
        const taken = doc.nodes.map((n) => n.id);
        const hasUsers = doc.nodes.some((n) => n.kind === 'users');
        const rename = new Map<string, string>();
        const nodes: DocNode[] = [];
        for (const n of clipboard.nodes) {
          if (n.kind === 'users' && hasUsers) continue; // a design has one users node
          const id = nextNodeId(n.kind, taken);
          taken.push(id);
          rename.set(n.id, id);
          const p = n.position ?? { x: 0, y: 0 };
          nodes.push({ ...structuredClone(n), id, position: { x: p.x + PASTE_OFFSET, y: p.y + PASTE_OFFSET } });
        }
        const edges = clipboard.edges
          .filter((e) => rename.has(e.from) && rename.has(e.to))
          .map((e) => ({ ...e, from: rename.get(e.from) as string, to: rename.get(e.to) as string }));
        if (nodes.length === 0) return 0;
        set({
          doc: { ...doc, nodes: [...doc.nodes, ...nodes], edges: [...doc.edges, ...edges] },
          selectedNodes: nodes.map((n) => n.id),
          selectedEdges: edges.map(edgeId),
          // Pasting again lands further along rather than on top of this copy.
          clipboard: { nodes, edges },
        });
        return nodes.length;
      },

      beginDrag: () => {
        if (dragStart) return;
        dragStart = { doc: get().doc };
        useDesign.temporal.getState().pause();
      },

      endDrag: () => {
        const temporalStore = useDesign.temporal;
        const start = dragStart;
        dragStart = null;
        temporalStore.getState().resume();
        if (start && start.doc !== get().doc) {
          temporalStore.setState((t) => ({
            pastStates: [...t.pastStates, start],
            futureStates: [],
          }));
        }
      },
    }),
    {
      partialize: (state) => ({ doc: state.doc }),
      equality: (a, b) => a.doc === b.doc,
      limit: 200,
    },
  ),
);

function same(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export const undo = () => useDesign.temporal.getState().undo();
export const redo = () => useDesign.temporal.getState().redo();

/** Replace the document as one undoable step (taking someone else's version in a conflict). */
export function replaceDocument(doc: ScenarioDocument): void {
  useDesign.setState({ doc, selectedNodes: [], selectedEdges: [] });
}
