/** Hooks for the canvas: a node's and the links' look in the frame on screen (live or replay). */
import { useMemo } from 'react';
import { useLiveRun } from '../store/liveRun';
import { frameOverlay, nodeVisual, type NodeVisual, type Overlay, type OverlayEdge } from './overlay';

/** The node's look in the current frame, or null when no run is on screen. */
export function useNodeVisual(id: string): NodeVisual | null {
  const metrics = useLiveRun((s) => s.latest?.nodes[id]);
  return useMemo(() => (metrics ? nodeVisual(id, metrics) : null), [id, metrics]);
}

/** Every node's and link's look in the current frame, or null when no run is on screen. */
export function useOverlay(edges: OverlayEdge[]): Overlay | null {
  const latest = useLiveRun((s) => s.latest);
  return useMemo(() => (latest ? frameOverlay(latest, edges) : null), [latest, edges]);
}
