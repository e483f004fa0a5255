/**
 * A node's live look on the canvas, drawn over the component without changing its size: a ring
 * in its utilisation colour (grey and dashed when dead), a strip of short numbers under it and,
 * for databases and replicas, their role in the run above it.
 */
import { memo } from 'react';
import { useNodeVisual } from './useOverlay';
import './live.css';

function NodeLiveView({ id }: { id: string }) {
  const visual = useNodeVisual(id);
  if (!visual) return null;
  return (
    <>
      <span
        className={`live-ring health-${visual.health}`}
        style={{ borderColor: visual.colour }}
        aria-hidden="true"
      />
      {visual.utilization !== null && visual.alive && (
        <span className="live-bar" aria-hidden="true">
          <span style={{ width: `${Math.min(100, visual.utilization * 100)}%`, background: visual.colour }} />
        </span>
      )}
      {visual.roleText !== null && (
        <span
          className={`live-role role-${visual.role}${visual.roleChanged ? ' role-changed' : ''}`}
          data-testid={`live-role-${id}`}
          data-role={visual.role ?? ''}
          title={visual.roleChanged ? `The run has made ${id} the ${visual.role} (the design drew it otherwise).` : undefined}
        >
          {visual.roleText}
        </span>
      )}
      <span
        className={`live-strip health-${visual.health}`}
        data-testid={`live-${id}`}
        data-health={visual.health}
        data-utilization={visual.utilization ?? ''}
        data-errors={Math.round(visual.errorRps * 10) / 10}
        title={visual.description}
      >
        {visual.lines.join(' · ')}
      </span>
    </>
  );
}

export const NodeLive = memo(NodeLiveView);
