/** The design as tables (components with their settings, and links): an alternative to the
 * canvas for screen readers and keyboards. */
import { KINDS } from '../domain/kinds';
import { edgeId } from '../domain/scenario';
import { nodeSummary } from '../domain/summary';
import { useDesign } from '../store/design';
import { useSession } from '../store/session';
import { placesOf } from './problems';

export function TableView({ readOnly }: { readOnly: boolean }) {
  const doc = useDesign((s) => s.doc);
  const selectedNodes = useDesign((s) => s.selectedNodes);
  const selectedEdges = useDesign((s) => s.selectedEdges);
  const select = useDesign((s) => s.select);
  const remove = useDesign((s) => s.remove);
  const problems = useSession((s) => s.problems);
  const analysis = useSession((s) => s.analysis);
  const places = placesOf(problems);
  const users = (doc.workload as { users?: number } | undefined)?.users ?? 10000;

  return (
    <section className="table-view" data-testid="table-view" aria-label="Design as tables">
      <table>
        <caption>Components ({doc.nodes.length})</caption>
        <thead>
          <tr>
            <th scope="col">Id</th>
            <th scope="col">Kind</th>
            <th scope="col">Zone</th>
            <th scope="col">Settings</th>
            <th scope="col">Problems</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {doc.nodes.map((n) => {
            const p = places.nodes.get(n.id);
            const spof = analysis?.spofs.find((s) => s.node === n.id);
            return (
              <tr key={n.id} data-testid={`table-node-${n.id}`} className={selectedNodes.includes(n.id) ? 'selected' : ''}>
                <th scope="row">
                  <button type="button" className="link-button" onClick={() => select([n.id], [])} aria-label={`Select ${n.id}`}>
                    {n.label || n.id}
                  </button>
                </th>
                <td>{KINDS[n.kind].title}</td>
                <td>{n.zone ?? 'zone-a'}</td>
                <td>{nodeSummary(n, users)}</td>
                <td>
                  {[...(p?.errors ?? []), ...(p?.warnings ?? [])].join('; ')}
                  {spof && <span className="badge badge-spof">SPOF</span>}
                </td>
                <DeleteCell hidden={readOnly} what={n.id} onDelete={() => remove([n.id], [])} />
              </tr>
            );
          })}
        </tbody>
      </table>
      <table>
        <caption>Links ({doc.edges.length})</caption>
        <thead>
          <tr>
            <th scope="col">From</th>
            <th scope="col">To</th>
            <th scope="col">Kind</th>
            <th scope="col">Latency (ms)</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {doc.edges.map((e) => {
            const id = edgeId(e);
            return (
              <tr key={id} data-testid={`table-edge-${id}`} className={selectedEdges.includes(id) ? 'selected' : ''}>
                <td>
                  <button type="button" className="link-button" onClick={() => select([], [id])} aria-label={`Select link ${e.from} to ${e.to}`}>
                    {e.from}
                  </button>
                </td>
                <td>{e.to}</td>
                <td>{e.kind ?? 'request'}</td>
                <td>{e.latency_ms ?? 0.5}</td>
                <DeleteCell hidden={readOnly} what={`link ${e.from} to ${e.to}`} onDelete={() => remove([], [id])} />
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

function DeleteCell({ hidden, what, onDelete }: { hidden: boolean; what: string; onDelete: () => void }) {
  return (
    <td>
      {!hidden && (
        <button type="button" className="ghost small" onClick={onDelete} aria-label={`Delete ${what}`}>
          Delete
        </button>
      )}
    </td>
  );
}
