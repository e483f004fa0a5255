/** The inspector: typed fields for the selected component or link, or the design's problems. */
import { edgeFields, nodeFields, paramFields } from '../domain/fields';
import { KINDS } from '../domain/kinds';
import { edgeId, type DocEdge, type DocNode } from '../domain/scenario';
import { useDesign } from '../store/design';
import { useSession } from '../store/session';
import { KindIcon } from '../ui/Icon';
import { Field } from './Field';
import { placesOf, spofClasses, useEdgeProblems, useNodeProblems } from './problems';

export function Inspector({ readOnly }: { readOnly: boolean }) {
  const doc = useDesign((s) => s.doc);
  const selectedNodes = useDesign((s) => s.selectedNodes);
  const selectedEdges = useDesign((s) => s.selectedEdges);
  const nodes = doc.nodes.filter((n) => selectedNodes.includes(n.id));
  const edges = doc.edges.filter((e) => selectedEdges.includes(edgeId(e)));

  let body;
  if (nodes.length === 1 && edges.length === 0) body = <NodeInspector node={nodes[0]} readOnly={readOnly} />;
  else if (nodes.length === 0 && edges.length === 1) body = <EdgeInspector edge={edges[0]} readOnly={readOnly} />;
  else if (nodes.length + edges.length > 1) body = <Several nodes={nodes.length} edges={edges.length} readOnly={readOnly} />;
  else body = <DesignOverview />;
  return (
    <aside className="inspector" aria-label="Inspector" data-testid="inspector">
      {body}
    </aside>
  );
}

function ProblemList({ errors, warnings }: { errors: string[]; warnings: string[] }) {
  if (errors.length === 0 && warnings.length === 0) return null;
  return (
    <ul className="problem-list" data-testid="inspector-problems">
      {errors.map((m) => (
        <li key={`e${m}`} className="problem error-text">
          {m}
        </li>
      ))}
      {warnings.map((m) => (
        <li key={`w${m}`} className="problem warn-text">
          {m}
        </li>
      ))}
    </ul>
  );
}

function NodeInspector({ node, readOnly }: { node: DocNode; readOnly: boolean }) {
  const setParam = useDesign((s) => s.setParam);
  const updateNode = useDesign((s) => s.updateNode);
  const remove = useDesign((s) => s.remove);
  const problems = useNodeProblems(node.id);
  const spof = useSession((s) => spofClasses(s.analysis, node.id));
  const info = KINDS[node.kind];
  const params = paramFields(node.kind);
  return (
    <div data-testid="inspector-node" data-node={node.id}>
      <header className="inspector-head">
        <span className={`palette-icon kind-${node.kind}`}>
          <KindIcon kind={node.kind} />
        </span>
        <div>
          <h2 className="inspector-title">{node.label || node.id}</h2>
          <p className="muted small">
            {info.title} · id <code>{node.id}</code>
          </p>
        </div>
      </header>
      <p className="inspector-blurb">{info.blurb}</p>
      {spof && (
        <p className="spof-note" data-testid="inspector-spof">
          Single point of failure: if it dies, {spof.join(', ')} requests fail.
        </p>
      )}
      <ProblemList errors={problems.errors} warnings={problems.warnings} />
      <div className="fields">
        {nodeFields().map((f) => (
          <Field
            key={f.name}
            field={f}
            value={f.name === 'label' ? node.label : node.zone}
            readOnly={readOnly}
            testId={`field-${f.name}`}
            onCommit={(v) => updateNode(node.id, { [f.name]: v === undefined || v === '' ? undefined : v })}
          />
        ))}
        {params.length === 0 && (
          <p className="muted small">
            How many users and how they behave is set in the run panel (the workload), not here.
          </p>
        )}
        {params.map((f) => (
          <Field
            key={f.name}
            field={f}
            value={node.params?.[f.name]}
            readOnly={readOnly}
            testId={`field-${f.name}`}
            onCommit={(v) => setParam(node.id, f.name, v)}
          />
        ))}
      </div>
      {!readOnly && (
        <button type="button" className="danger" data-testid="inspector-delete" onClick={() => remove([node.id], [])}>
          Delete {node.id}
        </button>
      )}
    </div>
  );
}

function EdgeInspector({ edge, readOnly }: { edge: DocEdge; readOnly: boolean }) {
  const setEdgeLatency = useDesign((s) => s.setEdgeLatency);
  const remove = useDesign((s) => s.remove);
  const id = edgeId(edge);
  const problems = useEdgeProblems(id);
  const replication = edge.kind === 'replication';
  return (
    <div data-testid="inspector-edge" data-edge={id}>
      <h2 className="inspector-title">
        {edge.from} → {edge.to}
      </h2>
      <p className="inspector-blurb">
        {replication
          ? 'Replication: the primary streams its writes to this replica.'
          : 'Requests flow along this link; its latency adds to every request that takes it.'}
      </p>
      <ProblemList errors={problems.errors} warnings={problems.warnings} />
      <div className="fields">
        {edgeFields().map((f) => (
          <Field
            key={f.name}
            field={f}
            value={edge.latency_ms}
            readOnly={readOnly}
            testId={`field-${f.name}`}
            onCommit={(v) => setEdgeLatency(id, v as number | undefined)}
          />
        ))}
      </div>
      {!readOnly && (
        <button type="button" className="danger" data-testid="inspector-delete" onClick={() => remove([], [id])}>
          Delete link
        </button>
      )}
    </div>
  );
}

function Several({ nodes, edges, readOnly }: { nodes: number; edges: number; readOnly: boolean }) {
  const removeSelection = useDesign((s) => s.removeSelection);
  return (
    <div data-testid="inspector-several">
      <h2 className="inspector-title">
        {nodes} components, {edges} links selected
      </h2>
      <p className="muted">Copy them with Ctrl+C, paste with Ctrl+V, or delete them together.</p>
      {!readOnly && (
        <button type="button" className="danger" onClick={removeSelection} data-testid="inspector-delete">
          Delete selection
        </button>
      )}
    </div>
  );
}

function DesignOverview() {
  const problems = useSession((s) => s.problems);
  const select = useDesign((s) => s.select);
  const empty = useDesign((s) => s.doc.nodes.length === 0);
  const places = placesOf(problems);
  const all = [
    ...problems.errors.map((i) => ({ ...i, level: 'error' as const })),
    ...problems.warnings.map((i) => ({ ...i, level: 'warning' as const })),
  ];
  return (
    <div data-testid="inspector-design">
      <h2 className="inspector-title">Design</h2>
      {empty ? (
        <p className="muted">
          Start with <strong>Users</strong>, then a <strong>Web server</strong> and a{' '}
          <strong>Database</strong>: drag them from the palette and link them left to right.
        </p>
      ) : (
        <p className="muted">Select a component or a link to edit it.</p>
      )}
      <h3 className="section-title">Problems</h3>
      {all.length === 0 ? (
        <p className="ok-text" data-testid="no-problems">
          No problems: the engine accepts this design.
        </p>
      ) : (
        <ul className="problem-list" data-testid="design-problems">
          {all.map((p) => {
            const m = /^nodes\[([^\]]+)\]/.exec(p.path);
            const nodeId = m && !places.design.errors.includes(p) ? m[1] : null;
            return (
              <li key={`${p.level}${p.path}${p.message}`} className={`problem ${p.level === 'error' ? 'error-text' : 'warn-text'}`}>
                {nodeId ? (
                  <button type="button" className="link-button" onClick={() => select([nodeId], [])}>
                    {p.path}
                  </button>
                ) : (
                  <code>{p.path || 'design'}</code>
                )}
                : {p.message}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
