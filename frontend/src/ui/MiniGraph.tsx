/** A thumbnail of a design: its components as dots and its links as lines. */
import type { ScenarioDocument } from '../domain/scenario';

export function MiniGraph({ doc }: { doc: ScenarioDocument }) {
  const pts = doc.nodes.map((n) => ({ id: n.id, kind: n.kind, x: n.position?.x ?? 0, y: n.position?.y ?? 0 }));
  if (pts.length === 0) return <svg className="mini-graph" viewBox="0 0 160 70" aria-hidden="true" />;
  const xs = pts.map((p) => p.x);
  const ys = pts.map((p) => p.y);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const sx = (x: number) => (x1 === x0 ? 80 : 12 + ((x - x0) / (x1 - x0)) * 136);
  const sy = (y: number) => (y1 === y0 ? 35 : 10 + ((y - y0) / (y1 - y0)) * 50);
  const at = new Map(pts.map((p) => [p.id, p]));
  return (
    <svg className="mini-graph" viewBox="0 0 160 70" aria-hidden="true">
      {doc.edges.map((e) => {
        const a = at.get(e.from);
        const b = at.get(e.to);
        if (!a || !b) return null;
        return (
          <line
            key={`${e.from}->${e.to}`}
            x1={sx(a.x)}
            y1={sy(a.y)}
            x2={sx(b.x)}
            y2={sy(b.y)}
            className={e.kind === 'replication' ? 'mini-link replication' : 'mini-link'}
          />
        );
      })}
      {pts.map((p) => (
        <circle key={p.id} cx={sx(p.x)} cy={sy(p.y)} r={4.5} className={`mini-node kind-${p.kind}`} />
      ))}
    </svg>
  );
}
