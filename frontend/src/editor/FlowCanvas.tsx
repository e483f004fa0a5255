/**
 * The canvas: React Flow drawing the document held in the design store. Moves, selections,
 * drops from the palette and new links become store actions; React Flow's own objects stay here.
 */
import {
  Background,
  BackgroundVariant,
  Controls,
  MiniMap,
  ReactFlow,
  useConnection,
  useReactFlow,
  type Connection,
  type EdgeChange,
  type FinalConnectionState,
  type IsValidConnection,
  type NodeChange,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useCallback, useMemo, useRef, useState, type DragEvent, type MouseEvent as ReactMouseEvent } from 'react';
import { judgeLink } from '../domain/rules';
import {
  NODE_KINDS,
  edgeId,
  toFlowEdge,
  toFlowNode,
  type ComponentFlowNode,
  type DocEdge,
  type DocNode,
  type LinkFlowEdge,
  type NodeKind,
} from '../domain/scenario';
import { openEdgeMenu, openNodeMenu } from '../run/menuState';
import { useOverlay } from '../run/useOverlay';
import { useDesign } from '../store/design';
import { useSession } from '../store/session';
import { useUi } from '../store/ui';
import { ComponentNode } from './ComponentNode';
import { placesOf } from './problems';

// Declared once at module level so React Flow never sees a new object.
const nodeTypes = { component: ComponentNode };
const MULTI_KEYS = ['Meta', 'Control', 'Shift'];
export const KIND_MIME = 'application/x-scalelab-kind';

type Dims = { width: number; height: number };

const MINIMAP_COLOURS: Record<NodeKind, string> = {
  users: '#9db0ea',
  dns: '#8cc6e4',
  cdn: '#8fd4b9',
  load_balancer: '#b7a6ee',
  server: '#93b4f3',
  cache: '#f2c38c',
  database: '#e7a2c7',
  replica: '#d7a9e6',
};
/** Inline, so that exported pictures (which copy inline styles) draw the links too. */
function linkStyle(replication: boolean, bad: boolean, selected: boolean) {
  return {
    stroke: selected ? '#2f6fed' : bad ? '#c62828' : replication ? '#a855f7' : '#98a2b3',
    strokeWidth: selected ? 2.4 : 1.6,
    strokeDasharray: replication ? '6 4' : undefined,
  };
}

const minimapColour = (node: ComponentFlowNode) => MINIMAP_COLOURS[node.data.kind];

/** Adds a component, refusing a second users node with the reason. */
export function placeComponent(kind: NodeKind, position: { x: number; y: number }): string | null {
  const { doc, addNode } = useDesign.getState();
  if (kind === 'users' && doc.nodes.some((n) => n.kind === 'users')) {
    useUi.getState().notify('A design has one users node: it stands for every client.', 'error');
    return null;
  }
  return addNode(kind, position);
}

/** Links two components, or says why they cannot be linked. */
export function linkComponents(source: string, target: string): boolean {
  const verdict = useDesign.getState().connect(source, target);
  if (!verdict.ok) useUi.getState().notify(verdict.reason, 'error');
  return verdict.ok;
}

export function FlowCanvas({ readOnly = false }: { readOnly?: boolean }) {
  const docNodes = useDesign((s) => s.doc.nodes);
  const docEdges = useDesign((s) => s.doc.edges);
  const selectedNodes = useDesign((s) => s.selectedNodes);
  const selectedEdges = useDesign((s) => s.selectedEdges);
  const problems = useSession((s) => s.problems);
  const { screenToFlowPosition } = useReactFlow();
  // Fit a design that opens with components; an empty one keeps a 1:1 view, so the first
  // component dropped stays where it was dropped.
  const [fitOnOpen] = useState(() => useDesign.getState().doc.nodes.length > 0);

  // Sizes React Flow measured: kept beside the document, never in it.
  const measured = useRef(new Map<string, Dims>());
  const [measureTick, setMeasureTick] = useState(0);
  const nodeCache = useRef(new Map<string, { doc: DocNode; selected: boolean; dims?: Dims; flow: ComponentFlowNode }>());
  const edgeCache = useRef(new Map<string, { doc: DocEdge; selected: boolean; bad: boolean; flow: LinkFlowEdge }>());

  const nodes = useMemo(() => {
    void measureTick;
    const selected = new Set(selectedNodes);
    return docNodes.map((n) => {
      const sel = selected.has(n.id);
      const dims = measured.current.get(n.id);
      const hit = nodeCache.current.get(n.id);
      if (hit && hit.doc === n && hit.selected === sel && hit.dims === dims) return hit.flow;
      const flow: ComponentFlowNode = { ...toFlowNode(n, sel), measured: dims };
      nodeCache.current.set(n.id, { doc: n, selected: sel, dims, flow });
      return flow;
    });
  }, [docNodes, selectedNodes, measureTick]);

  const edges = useMemo(() => {
    const selected = new Set(selectedEdges);
    const bad = placesOf(problems).edges;
    return docEdges.map((e) => {
      const id = edgeId(e);
      const sel = selected.has(id);
      const isBad = (bad.get(id)?.errors.length ?? 0) > 0;
      const hit = edgeCache.current.get(id);
      if (hit && hit.doc === e && hit.selected === sel && hit.bad === isBad) return hit.flow;
      const flow = toFlowEdge(e, sel);
      if (isBad) flow.className = `${flow.className} link-error`;
      flow.style = linkStyle(e.kind === 'replication', isBad, sel);
      flow.ariaLabel = `${e.kind === 'replication' ? 'Replication' : 'Link'} from ${e.from} to ${e.to}`;
      edgeCache.current.set(id, { doc: e, selected: sel, bad: isBad, flow });
      return flow;
    });
  }, [docEdges, selectedEdges, problems]);

  // During a run (or its replay) each request link is as thick as the flow it carries, and
  // moves while it carries any; a link into a dead node or a cut one turns red and dashed.
  const live = useOverlay(docEdges);
  const shownEdges = useMemo(() => {
    if (!live) return edges;
    return edges.map((e) => {
      const v = live.edges[e.id];
      if (!v || e.data?.kind === 'replication') return e;
      return {
        ...e,
        className: `${e.className ?? ''} live-flow${v.broken ? ' live-broken' : ''}`,
        animated: v.rps > 0 && !v.broken,
        style: { ...e.style, strokeWidth: e.selected ? Math.max(v.width, 2.4) : v.width, stroke: v.broken ? '#c62828' : e.style?.stroke },
      };
    });
  }, [edges, live]);

  const onNodeContextMenu = useCallback((event: ReactMouseEvent, node: ComponentFlowNode) => {
    event.preventDefault();
    useDesign.getState().select([node.id], []);
    openNodeMenu(node.id, event.clientX, event.clientY);
  }, []);

  const onEdgeContextMenu = useCallback((event: ReactMouseEvent, edge: LinkFlowEdge) => {
    event.preventDefault();
    openEdgeMenu(edge.source, edge.target, event.clientX, event.clientY);
  }, []);

  const onNodesChange = useCallback(
    (changes: NodeChange<ComponentFlowNode>[]) => {
      const store = useDesign.getState();
      const positions: Record<string, { x: number; y: number }> = {};
      const selection = new Set(store.selectedNodes);
      let selectionChanged = false;
      let resized = false;
      for (const c of changes) {
        if (c.type === 'position' && c.position && !readOnly) {
          if (c.dragging) store.beginDrag();
          positions[c.id] = c.position;
        } else if (c.type === 'dimensions' && c.dimensions) {
          const old = measured.current.get(c.id);
          if (!old || old.width !== c.dimensions.width || old.height !== c.dimensions.height) {
            measured.current.set(c.id, c.dimensions);
            resized = true;
          }
        } else if (c.type === 'select') {
          selectionChanged = true;
          if (c.selected) selection.add(c.id);
          else selection.delete(c.id);
        }
      }
      if (Object.keys(positions).length > 0) store.moveNodes(positions);
      if (resized) setMeasureTick((t) => t + 1);
      if (selectionChanged) store.select([...selection], useDesign.getState().selectedEdges);
    },
    [readOnly],
  );

  const onEdgesChange = useCallback((changes: EdgeChange<LinkFlowEdge>[]) => {
    const store = useDesign.getState();
    const selection = new Set(store.selectedEdges);
    let changed = false;
    for (const c of changes) {
      if (c.type === 'select') {
        changed = true;
        if (c.selected) selection.add(c.id);
        else selection.delete(c.id);
      }
    }
    if (changed) store.select(useDesign.getState().selectedNodes, [...selection]);
  }, []);

  const isValidConnection: IsValidConnection = useCallback(
    (c) => judgeLink(useDesign.getState().doc, c.source, c.target).ok,
    [],
  );

  const onConnect = useCallback((c: Connection) => {
    linkComponents(c.source, c.target);
  }, []);

  // A drop that was not on a valid handle: on a component's body it still links (if the link
  // makes sense); on a handle that refuses, it says why.
  const onConnectEnd = useCallback((_event: MouseEvent | TouchEvent, state: FinalConnectionState) => {
    if (state.isValid || !state.fromNode || !state.toNode || state.fromNode.id === state.toNode.id) return;
    const fromTarget = state.fromHandle?.type === 'target';
    const source = fromTarget ? state.toNode.id : state.fromNode.id;
    const target = fromTarget ? state.fromNode.id : state.toNode.id;
    linkComponents(source, target);
  }, []);

  const onDragOver = useCallback((event: DragEvent) => {
    if (!event.dataTransfer.types.includes(KIND_MIME)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
  }, []);

  const onDrop = useCallback(
    (event: DragEvent) => {
      const kind = event.dataTransfer.getData(KIND_MIME) as NodeKind;
      if (!NODE_KINDS.includes(kind)) return;
      event.preventDefault();
      const at = screenToFlowPosition({ x: event.clientX, y: event.clientY });
      // The pointer lands near the component's icon rather than its corner.
      placeComponent(kind, { x: at.x - 30, y: at.y - 28 });
    },
    [screenToFlowPosition],
  );

  const endDrag = useCallback(() => useDesign.getState().endDrag(), []);

  return (
    <ReactFlow<ComponentFlowNode, LinkFlowEdge>
      nodes={nodes}
      edges={shownEdges}
      nodeTypes={nodeTypes}
      onNodesChange={onNodesChange}
      onEdgesChange={onEdgesChange}
      onNodeContextMenu={readOnly ? undefined : onNodeContextMenu}
      onEdgeContextMenu={readOnly ? undefined : onEdgeContextMenu}
      onConnect={onConnect}
      onConnectEnd={onConnectEnd}
      isValidConnection={isValidConnection}
      onNodeDragStop={endDrag}
      onSelectionDragStop={endDrag}
      onDragOver={onDragOver}
      onDrop={onDrop}
      nodesDraggable={!readOnly}
      nodesConnectable={!readOnly}
      deleteKeyCode={null}
      multiSelectionKeyCode={MULTI_KEYS}
      selectionKeyCode="Shift"
      fitView={fitOnOpen}
      fitViewOptions={{ padding: 0.2, maxZoom: 1.2 }}
      minZoom={0.1}
      maxZoom={2.5}
      snapToGrid
      snapGrid={[10, 10]}
      proOptions={{ hideAttribution: false }}
      aria-label="Design canvas"
    >
      <Background variant={BackgroundVariant.Dots} gap={20} size={1.2} color="#cfd5df" />
      <Controls showInteractive={!readOnly} aria-label="Zoom and fit" />
      <ConnectionHint />
      <MiniMap pannable zoomable ariaLabel="Minimap" nodeBorderRadius={6} nodeColor={minimapColour} />
    </ReactFlow>
  );
}

/** While a link is being drawn over a component that refuses it, says why, before the drop. */
function ConnectionHint() {
  const reason = useConnection((c) => {
    if (!c.inProgress || !c.toNode || c.isValid !== false || c.toNode.id === c.fromNode.id) return null;
    const fromTarget = c.fromHandle.type === 'target';
    const source = fromTarget ? c.toNode.id : c.fromNode.id;
    const target = fromTarget ? c.fromNode.id : c.toNode.id;
    const verdict = judgeLink(useDesign.getState().doc, source, target);
    return verdict.ok ? null : verdict.reason;
  });
  if (!reason) return null;
  return (
    <div className="connection-hint" role="status" data-testid="connection-hint">
      {reason}
    </div>
  );
}
