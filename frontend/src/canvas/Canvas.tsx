/** The design canvas: an empty React Flow surface until components can be placed on it. */
import { Background, Controls, MiniMap, ReactFlow, type Edge, type Node } from '@xyflow/react';
import '@xyflow/react/dist/style.css';

// Module-level so React Flow sees the same arrays on every render.
const nodes: Node[] = [];
const edges: Edge[] = [];

export function Canvas() {
  return (
    <section className="canvas" data-testid="canvas" aria-label="Design canvas">
      <ReactFlow nodes={nodes} edges={edges} fitView>
        <Background />
        <Controls />
        <MiniMap pannable zoomable />
      </ReactFlow>
      <p className="canvas-hint" data-testid="canvas-empty-hint">
        The canvas is empty — components arrive in the next release
      </p>
    </section>
  );
}
