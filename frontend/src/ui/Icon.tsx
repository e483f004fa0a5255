/** A stroked 24×24 icon from SVG path data. */
import { KINDS } from '../domain/kinds';
import type { NodeKind } from '../domain/scenario';

export function Icon({ d, size = 18 }: { d: string; size?: number }) {
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={1.7}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
    >
      <path d={d} />
    </svg>
  );
}

export function KindIcon({ kind, size }: { kind: NodeKind; size?: number }) {
  return <Icon d={KINDS[kind].icon} size={size} />;
}
