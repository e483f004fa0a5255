/** The keyboard's way in: add a component, connect two, and the list of shortcuts. */
import { useState } from 'react';
import { KINDS } from '../domain/kinds';
import { judgeLink } from '../domain/rules';
import { NODE_KINDS, type NodeKind } from '../domain/scenario';
import { useDesign } from '../store/design';
import { useUi } from '../store/ui';
import { Dialog } from '../ui/Dialog';
import { linkComponents, placeComponent } from './FlowCanvas';
import { useViewCentre } from './Palette';
import { SHORTCUTS } from './shortcuts';

const close = () => useUi.getState().open(null);

export function AddDialog() {
  const [kind, setKind] = useState<NodeKind>('users');
  const centre = useViewCentre();
  return (
    <Dialog title="Add a component" onClose={close} testId="add-dialog">
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          const id = placeComponent(kind, centre());
          if (id) {
            useUi.getState().notify(`Added ${id}.`, 'ok');
            close();
          }
        }}
      >
        <label>
          Component
          <select autoFocus value={kind} onChange={(e) => setKind(e.target.value as NodeKind)} data-testid="add-kind">
            {NODE_KINDS.map((k) => (
              <option key={k} value={k}>
                {KINDS[k].title}
              </option>
            ))}
          </select>
        </label>
        <p className="muted small">{KINDS[kind].blurb}</p>
        <div className="form-actions">
          <button type="submit" className="primary" data-testid="add-submit">
            Add
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export function ConnectDialog() {
  const doc = useDesign((s) => s.doc);
  const selected = useDesign((s) => s.selectedNodes);
  const ids = doc.nodes.map((n) => n.id);
  const [from, setFrom] = useState(selected[0] ?? ids[0] ?? '');
  const [to, setTo] = useState(selected[1] ?? ids.find((id) => id !== from) ?? '');
  const verdict = from && to ? judgeLink(doc, from, to) : null;
  return (
    <Dialog title="Connect two components" onClose={close} testId="connect-dialog">
      {ids.length < 2 ? (
        <p className="muted">Add at least two components first.</p>
      ) : (
        <form
          className="form"
          onSubmit={(e) => {
            e.preventDefault();
            if (linkComponents(from, to)) {
              useUi.getState().notify(`Linked ${from} → ${to}.`, 'ok');
              close();
            }
          }}
        >
          <label>
            From
            <select autoFocus value={from} onChange={(e) => setFrom(e.target.value)} data-testid="connect-from">
              {ids.map((id) => (
                <option key={id}>{id}</option>
              ))}
            </select>
          </label>
          <label>
            To
            <select value={to} onChange={(e) => setTo(e.target.value)} data-testid="connect-to">
              {ids.map((id) => (
                <option key={id}>{id}</option>
              ))}
            </select>
          </label>
          <p className={verdict?.ok ? 'ok-text' : 'error-text'} data-testid="connect-verdict" role="status">
            {verdict ? (verdict.ok ? `A ${verdict.kind} link.` : verdict.reason) : ''}
          </p>
          <div className="form-actions">
            <button type="submit" className="primary" disabled={!verdict?.ok} data-testid="connect-submit">
              Connect
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}

export function HelpDialog() {
  return (
    <Dialog title="Keyboard shortcuts" onClose={close} testId="help-dialog">
      <table className="shortcuts">
        <tbody>
          {SHORTCUTS.map(([keys, what]) => (
            <tr key={keys}>
              <th scope="row">
                {keys.split(' / ').map((k, i) => (
                  <span key={k}>
                    {i > 0 && ' or '}
                    <kbd>{k}</kbd>
                  </span>
                ))}
              </th>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">
        Mouse: drag from the palette, link from a right handle to a left one, Shift-drag to select
        an area, scroll to zoom, drag the background to pan.
      </p>
    </Dialog>
  );
}
