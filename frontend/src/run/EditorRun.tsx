/**
 * The run panel wired to the editor: the design's workload, failures and save state feed the
 * controls; the event log selects and shows nodes; the node and link menus open where the
 * canvas asked. Loaded on demand (with uPlot) by the editor.
 */
import { useReactFlow } from '@xyflow/react';
import { useCallback, useEffect } from 'react';
import { runsApi } from '../api/runs';
import { watchRun } from '../live/runSession';
import { useDesign } from '../store/design';
import { ACTIVE_STATES, useLiveRun } from '../store/liveRun';
import { useSession } from '../store/session';
import {
  applyDesignEdit,
  durationOf,
  failuresOf,
  requestsPerUserOf,
  setFailures,
  setWorkload,
  shapeOf,
  targetsOf,
  usersOf,
  whenSaved,
} from './designLink';
import { EdgeActions, EdgeMenu, NodeActions, NodeMenu } from './NodeMenu';
import { closeRunMenu, useRunMenu } from './menuState';
import { RunDock, RunSide } from './RunPanel';

export function EditorRunSide({ readOnly = false }: { readOnly?: boolean }) {
  const doc = useDesign((s) => s.doc);
  const scenarioId = useSession((s) => s.scenarioId);
  const share = useSession((s) => (s.mode === 'shared' ? s.shareToken : null));
  const errors = useSession((s) => s.problems.errors.length);

  // Opening a design whose run is still going (a reload, another tab) follows that run.
  useEffect(() => {
    if (readOnly || !scenarioId) return;
    let cancelled = false;
    runsApi
      .list(scenarioId)
      .then((runs) => {
        const going = runs.find((r) => r.kind === 'simulation' && ACTIVE_STATES.has(r.state));
        if (!cancelled && going && useLiveRun.getState().run === null) watchRun(going);
      })
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [scenarioId, readOnly]);

  if (readOnly) {
    return (
      <div className="run-side-scroll">
        <RunSide share={share} />
      </div>
    );
  }
  return (
    <div className="run-side-scroll">
      <SelectedNodeActions />
      <RunSide
        scenarioId={scenarioId}
        controls={{
          scenarioId,
          users: usersOf(doc),
          requestsPerUser: requestsPerUserOf(doc),
          onUsersChange: (users) => setWorkload({ users }),
          onLiveUsersChange: (users) => applyDesignEdit({ type: 'users', users }),
          shape: shapeOf(doc),
          onShapeChange: (shape) => setWorkload({ shape }),
          durationS: durationOf(doc),
          beforeStart: () => whenSaved(),
          blocked: errors > 0 ? `Fix the design's ${errors === 1 ? 'error' : `${errors} errors`} to run it.` : null,
        }}
        timeline={{ failures: failuresOf(doc), onChange: setFailures, targets: targetsOf(doc) }}
      />
    </div>
  );
}

/** The selected node's or link's run actions beside the canvas, reachable by keyboard. */
function SelectedNodeActions() {
  const doc = useDesign((s) => s.doc);
  const nodeId = useDesign((s) => (s.selectedNodes.length === 1 && s.selectedEdges.length === 0 ? s.selectedNodes[0] : null));
  const edgeId = useDesign((s) => (s.selectedEdges.length === 1 && s.selectedNodes.length === 0 ? s.selectedEdges[0] : null));
  const active = useLiveRun((s) => !s.replay && s.run !== null && ACTIVE_STATES.has(s.run.state));
  if (!active) return null;
  const node = nodeId ? doc.nodes.find((n) => n.id === nodeId) : undefined;
  const edge = edgeId ? doc.edges.find((e) => `${e.from}->${e.to}` === edgeId && e.kind !== 'replication') : undefined;
  if (node && node.kind !== 'users') {
    return (
      <section className="run-side selected-actions" aria-label={`Break or change ${node.id}`} data-testid="selected-node-actions">
        <h3 className="section-title">{node.label || node.id} during the run</h3>
        <div className="selected-actions-buttons">
          <NodeActions node={node} doc={doc} onEdit={applyDesignEdit} />
        </div>
      </section>
    );
  }
  if (edge) {
    return (
      <section className="run-side selected-actions" aria-label={`Break the link ${edge.from} to ${edge.to}`} data-testid="selected-edge-actions">
        <h3 className="section-title">
          Link {edge.from} → {edge.to} during the run
        </h3>
        <div className="selected-actions-buttons">
          <EdgeActions from={edge.from} to={edge.to} />
        </div>
      </section>
    );
  }
  return null;
}

export function EditorRunDock() {
  const { setCenter, getNode, fitView } = useReactFlow();
  const shown = useLiveRun((s) => s.run !== null || s.replay !== null);
  // The dock takes room from the canvas: the design is fitted again into what is left.
  useEffect(() => {
    const frame = requestAnimationFrame(() => void fitView({ padding: 0.2, maxZoom: 1.2, duration: reducedMotion() ? 0 : 200 }));
    return () => cancelAnimationFrame(frame);
  }, [shown, fitView]);
  const onSelectNode = useCallback(
    (id: string) => {
      if (!useDesign.getState().doc.nodes.some((n) => n.id === id)) return;
      useDesign.getState().select([id], []);
      const node = getNode(id);
      if (node) {
        const w = node.measured?.width ?? 170;
        const h = node.measured?.height ?? 52;
        void setCenter(node.position.x + w / 2, node.position.y + h / 2, { zoom: 1.1, duration: reducedMotion() ? 0 : 300 });
      }
    },
    [getNode, setCenter],
  );
  return <RunDock onSelectNode={onSelectNode} />;
}

function reducedMotion(): boolean {
  return typeof window !== 'undefined' && window.matchMedia?.('(prefers-reduced-motion: reduce)').matches;
}

/** The node or link menu the canvas opened, if any. */
export function RunMenuHost() {
  const menu = useRunMenu((s) => s.menu);
  const doc = useDesign((s) => s.doc);
  if (!menu) return null;
  if (menu.kind === 'edge') return <EdgeMenu from={menu.from} to={menu.to} x={menu.x} y={menu.y} onClose={closeRunMenu} />;
  const node = doc.nodes.find((n) => n.id === menu.id);
  if (!node) return null;
  return <NodeMenu node={node} doc={doc} onEdit={applyDesignEdit} x={menu.x} y={menu.y} onClose={closeRunMenu} />;
}
