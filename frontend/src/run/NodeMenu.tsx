/**
 * The menus that break and change a running design: a node's (kill, restore, slow down, flush,
 * scale, add another like it) and a link's (cut, restore). Keyboard: arrows move, Escape closes.
 * A change that alters the design is drawn into it at once and taken back if the run refuses it.
 */
import { useEffect, useRef, type KeyboardEvent, type ReactNode } from 'react';
import { designRole } from '../domain/roles';
import { sendControl } from '../live/runSession';
import { ACTIVE_STATES, useLiveRun } from '../store/liveRun';
import {
  addLikeChange,
  cloneNote,
  edgeMenuItems,
  nodeMenuItems,
  type DesignEdge,
  type DesignEdit,
  type DesignNode,
  type MenuItem,
} from './nodeActions';

interface Placement {
  x: number;
  y: number;
  onClose: () => void;
}

/** Whether the person on this page may change the run now, and if not, why not. */
export function useRunControllable(): { ok: boolean; reason: string | null } {
  const state = useLiveRun((s) => (s.replay ? undefined : s.run?.state));
  const role = useLiveRun((s) => s.role);
  const status = useLiveRun((s) => s.status);
  if (!state || !ACTIVE_STATES.has(state)) return { ok: false, reason: 'Start a run to break or change the design live.' };
  if (role === 'watcher') return { ok: false, reason: 'Only the owner of the design changes its run.' };
  if (status !== 'open') return { ok: false, reason: 'Not connected to the run.' };
  return { ok: true, reason: null };
}

function Menu({ title, x, y, onClose, children, testId }: Placement & { title: string; children: ReactNode; testId: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    box.current?.querySelector<HTMLButtonElement>('button:not([disabled])')?.focus();
    const away = (event: PointerEvent) => {
      if (box.current && !box.current.contains(event.target as Node)) onClose();
    };
    window.addEventListener('pointerdown', away, true);
    return () => window.removeEventListener('pointerdown', away, true);
  }, [onClose]);

  function onKeyDown(event: KeyboardEvent) {
    if (event.key === 'Escape') {
      event.preventDefault();
      onClose();
      return;
    }
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    event.preventDefault();
    const buttons = [...(box.current?.querySelectorAll<HTMLButtonElement>('button:not([disabled])') ?? [])];
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const next = event.key === 'ArrowDown' ? (at + 1) % buttons.length : (at - 1 + buttons.length) % buttons.length;
    buttons[next]?.focus();
  }

  // Kept inside the window whatever the pointer's position.
  const left = Math.max(8, Math.min(x, window.innerWidth - 230));
  const top = Math.max(8, Math.min(y, window.innerHeight - 360));
  return (
    <div
      ref={box}
      className="node-menu"
      role="menu"
      aria-label={title}
      style={{ left, top }}
      onKeyDown={onKeyDown}
      data-testid={testId}
    >
      <div className="node-menu-title">{title}</div>
      {children}
    </div>
  );
}

/** Applies a live change's design edit; returns how to take it back. */
export type DesignEditor = (edit: DesignEdit) => () => void;

/** Sends the control with its design edit, which is taken back if the run refuses the control. */
function sendWithEdit(action: MenuItem['action'], fields: MenuItem['fields'], edit: DesignEdit | undefined, onEdit: DesignEditor | undefined): void {
  sendControl(action, fields, edit && onEdit ? () => onEdit(edit) : undefined);
}

function Items({ items, disabled, onDone, menu, onEdit }: { items: MenuItem[]; disabled: boolean; onDone: () => void; menu: boolean; onEdit?: DesignEditor }) {
  return (
    <>
      {items.map((item) => (
        <button
          key={item.key}
          type="button"
          role={menu ? 'menuitem' : undefined}
          className={item.danger ? 'danger' : undefined}
          title={item.hint}
          disabled={disabled}
          data-testid={`node-menu-${item.key}`}
          onClick={() => {
            sendWithEdit(item.action, item.fields, item.edit, onEdit);
            onDone();
          }}
        >
          {item.label}
        </button>
      ))}
    </>
  );
}

export interface NodeMenuProps extends Placement {
  node: DesignNode;
  /** The design, for the node's role and "add another like this". */
  doc?: { nodes: DesignNode[]; edges: DesignEdge[]; workload?: unknown };
  /** Draws a live change into the design (a node added, instances changed) and returns how to take it back. */
  onEdit?: DesignEditor;
}

/** The node's actions as buttons: in its menu on the canvas, or beside the canvas for keyboards. */
export function NodeActions({ node, doc, onEdit, onDone, menu = false }: Omit<NodeMenuProps, keyof Placement> & { onDone?: () => void; menu?: boolean }) {
  const live = useLiveRun((s) => s.latest?.nodes[node.id]);
  const { ok, reason } = useRunControllable();
  const designInstances = typeof node.params?.instances === 'number' ? node.params.instances : undefined;
  const instances = designInstances ?? Math.max(1, live?.instances_alive ?? 1);
  const role = doc ? designRole(doc, node.id) : null;
  const items = nodeMenuItems(node, live?.alive ?? true, instances, role);
  const like = doc ? addLikeChange(doc, node.id) : null;
  const why = cloneNote(node, role);
  const done = onDone ?? (() => undefined);
  return (
    <>
      {!ok && <p className="node-menu-note">{reason}</p>}
      <Items items={items} disabled={!ok} onDone={done} menu={menu} onEdit={onEdit} />
      {like && (
        <button
          type="button"
          role={menu ? 'menuitem' : undefined}
          disabled={!ok}
          title={`Adds ${like.node.id}, linked like ${node.id}.`}
          data-testid="node-menu-add-like"
          onClick={() => {
            sendWithEdit('add_node', { node: like.node, edges: like.edges }, { type: 'add_node', ...like }, onEdit);
            done();
          }}
        >
          Add another like this ({like.node.id})
        </button>
      )}
      {why && (
        <p className="node-menu-note node-menu-why" data-testid="node-menu-why">
          {why}
        </p>
      )}
    </>
  );
}

export function NodeMenu({ node, doc, onEdit, x, y, onClose }: NodeMenuProps) {
  return (
    <Menu title={`${node.label || node.id} during the run`} x={x} y={y} onClose={onClose} testId="node-menu">
      <NodeActions node={node} doc={doc} onEdit={onEdit} onDone={onClose} menu />
    </Menu>
  );
}

/** The link's actions as buttons: in its menu, or beside the canvas for keyboards. */
export function EdgeActions({ from, to, onDone, menu = false }: { from: string; to: string; onDone?: () => void; menu?: boolean }) {
  const { ok, reason } = useRunControllable();
  return (
    <>
      {!ok && <p className="node-menu-note">{reason}</p>}
      <Items items={edgeMenuItems(from, to)} disabled={!ok} onDone={onDone ?? (() => undefined)} menu={menu} />
    </>
  );
}

export function EdgeMenu({ from, to, x, y, onClose }: Placement & { from: string; to: string }) {
  return (
    <Menu title={`Link ${from} → ${to}`} x={x} y={y} onClose={onClose} testId="edge-menu">
      <EdgeActions from={from} to={to} onDone={onClose} menu />
    </Menu>
  );
}
