/**
 * A component on the canvas: icon, name, settings at a glance, problem and SPOF badges. During
 * a run the users show the run's users and a database or replica the icon of its role now.
 */
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { memo } from 'react';
import { KINDS } from '../domain/kinds';
import type { ComponentFlowNode } from '../domain/scenario';
import { nodeSummary } from '../domain/summary';
import { useDesign } from '../store/design';
import { useLiveRun } from '../store/liveRun';
import { NodeLive } from '../run/NodeLive';
import { usersShown } from '../run/overlay';
import { useNodeVisual } from '../run/useOverlay';
import { KindIcon } from '../ui/Icon';
import { useNodeProblems, useSpof } from './problems';

function ComponentNodeView({ id, data, selected }: NodeProps<ComponentFlowNode>) {
  const problems = useNodeProblems(id);
  const spof = useSpof(id);
  const designUsers = useDesign((s) =>
    data.kind === 'users' ? (s.doc.workload as { users?: number } | undefined)?.users : undefined,
  );
  const liveUsers = useLiveRun((s) => (data.kind === 'users' ? s.latest?.system.users : undefined));
  const users = usersShown(designUsers, liveUsers);
  const live = useNodeVisual(id);
  const info = KINDS[data.kind];
  const shownKind = live?.roleChanged ? (live.role === 'primary' ? 'database' : 'replica') : data.kind;
  const state = problems.errors.length ? 'has-errors' : problems.warnings.length ? 'has-warnings' : '';
  const summary = nodeSummary({ id, kind: data.kind, params: data.params }, users ?? (data.kind === 'users' ? 10000 : undefined));
  const described = [
    `${info.title} ${data.label || id}`,
    summary,
    problems.errors.length ? `${problems.errors.length} errors: ${problems.errors.join('; ')}` : '',
    problems.warnings.length ? `${problems.warnings.length} warnings: ${problems.warnings.join('; ')}` : '',
    spof ? `single point of failure for ${spof.join(', ')} requests` : '',
    live ? `Now: ${live.description}` : '',
  ]
    .filter(Boolean)
    .join('. ');
  return (
    <div
      className={`component kind-${data.kind} ${state} ${selected ? 'selected' : ''}`}
      data-testid={`node-${id}`}
      data-kind={data.kind}
      data-live-role={live?.role ?? undefined}
      aria-label={described}
      title={described}
    >
      <Handle type="target" position={Position.Left} data-testid={`handle-in-${id}`} aria-label={`Link into ${id}`} />
      <span className="component-icon">
        <KindIcon kind={shownKind} size={20} />
      </span>
      <span className="component-text">
        <span className="component-name">{data.label || id}</span>
        <span className="component-summary">{summary}</span>
      </span>
      <span className="badges">
        {problems.errors.length > 0 && (
          <span className="badge badge-error" data-testid={`badge-errors-${id}`} title={problems.errors.join('\n')}>
            {problems.errors.length}
          </span>
        )}
        {problems.warnings.length > 0 && (
          <span className="badge badge-warn" data-testid={`badge-warnings-${id}`} title={problems.warnings.join('\n')}>
            !
          </span>
        )}
        {spof && (
          <span
            className="badge badge-spof"
            data-testid={`spof-${id}`}
            title={`Single point of failure for ${spof.join(', ')} requests`}
          >
            SPOF
          </span>
        )}
      </span>
      <Handle type="source" position={Position.Right} data-testid={`handle-out-${id}`} aria-label={`Link out of ${id}`} />
      <NodeLive id={id} />
    </div>
  );
}

export const ComponentNode = memo(ComponentNodeView);
