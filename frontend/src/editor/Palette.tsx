/** The palette: every component with an icon and a line on what it does. Drag one onto the
 * canvas, or press Enter on it to place it in the middle of the view. */
import { useReactFlow } from '@xyflow/react';
import { KINDS } from '../domain/kinds';
import { useDesign } from '../store/design';
import { NODE_KINDS, type DocNode, type NodeKind } from '../domain/scenario';
import { KindIcon } from '../ui/Icon';
import { KIND_MIME, placeComponent } from './FlowCanvas';

const SLOT = { w: 200, h: 80 };

/** The nearest place at or below `at` where a new component covers no other. */
export function freeSpot(nodes: DocNode[], at: { x: number; y: number }) {
  const taken = (x: number, y: number) =>
    nodes.some((n) => Math.abs((n.position?.x ?? 0) - x) < SLOT.w && Math.abs((n.position?.y ?? 0) - y) < SLOT.h);
  for (let col = 0; col < 8; col++) {
    for (let row = 0; row < 6; row++) {
      const x = at.x + col * SLOT.w;
      const y = at.y + row * SLOT.h;
      if (!taken(x, y)) return { x, y };
    }
  }
  return at;
}

export function useViewCentre() {
  const { screenToFlowPosition } = useReactFlow();
  return () => {
    const pane = document.querySelector('.react-flow')?.getBoundingClientRect();
    const x = pane ? pane.left + pane.width / 2 : window.innerWidth / 2;
    const y = pane ? pane.top + pane.height / 2 : window.innerHeight / 2;
    const at = screenToFlowPosition({ x, y });
    return freeSpot(useDesign.getState().doc.nodes, { x: at.x - 80, y: at.y - 30 });
  };
}

export function Palette() {
  const centre = useViewCentre();
  const add = (kind: NodeKind) => placeComponent(kind, centre());
  return (
    <nav className="palette" aria-label="Components" data-testid="palette">
      <h2 className="section-title">Components</h2>
      <ul>
        {NODE_KINDS.map((kind) => (
          <li key={kind}>
            <button
              type="button"
              className="palette-item"
              draggable
              data-testid={`palette-${kind}`}
              aria-label={`Add ${KINDS[kind].title}: ${KINDS[kind].blurb}`}
              onDragStart={(e) => {
                e.dataTransfer.setData(KIND_MIME, kind);
                e.dataTransfer.effectAllowed = 'copy';
              }}
              onClick={() => add(kind)}
            >
              <span className={`palette-icon kind-${kind}`}>
                <KindIcon kind={kind} />
              </span>
              <span className="palette-text">
                <span className="palette-title">{KINDS[kind].title}</span>
                <span className="palette-blurb">{KINDS[kind].blurb}</span>
              </span>
            </button>
          </li>
        ))}
      </ul>
      <p className="palette-hint muted small">Drag onto the canvas, or click to add. Link by dragging from a right handle to a left one.</p>
    </nav>
  );
}
