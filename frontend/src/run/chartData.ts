/**
 * The charts' columns from a window of frames, in the aligned form uPlot takes
 * ([times, series 1, series 2 …]): throughput, latency percentiles, errors by reason, cache hit
 * ratio, replication lag and cost. Series that come and go (error reasons, caches added during
 * the run) keep the order in which they first appeared, so their colours stay put.
 */
import type { MetricFrame } from '../live/frames';

export type Column = (number | null)[];

export interface ChartData {
  labels: string[];
  /** [t, ...one column per label]. */
  columns: [number[], ...Column[]];
}

export const SERIES_COLOURS = ['#2f6fed', '#15803d', '#b45309', '#c62828', '#7c3aed', '#0e7490', '#be185d', '#4b5563'];

/** At most this many error reasons get their own series; the rest are summed as "other". */
export const MAX_REASONS = 6;

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function build(frames: MetricFrame[], labels: string[], pick: (f: MetricFrame, label: string) => number | null): ChartData {
  const times = frames.map((f) => f.t);
  const columns = labels.map((label) => frames.map((f) => pick(f, label)));
  return { labels, columns: [times, ...columns] };
}

export function throughputData(frames: MetricFrame[]): ChartData {
  const keys = { offered: 'offered_rps', served: 'served_rps', goodput: 'goodput_rps' } as const;
  return build(frames, ['offered', 'served', 'goodput'], (f, l) => num(f.system[keys[l as keyof typeof keys]]));
}

export function latencyData(frames: MetricFrame[]): ChartData {
  const keys = { p50: 'p50_ms', p95: 'p95_ms', p99: 'p99_ms' } as const;
  return build(frames, ['p50', 'p95', 'p99'], (f, l) => num(f.system[keys[l as keyof typeof keys]]));
}

/** Labels in order of first appearance across the window. */
function firstSeen(frames: MetricFrame[], keysOf: (f: MetricFrame) => string[]): string[] {
  const seen = new Set<string>();
  for (const f of frames) for (const k of keysOf(f)) seen.add(k);
  return [...seen];
}

export function errorsData(frames: MetricFrame[]): ChartData {
  const reasons = firstSeen(frames, (f) => Object.keys(f.system.errors ?? {}));
  if (reasons.length <= MAX_REASONS) {
    return build(frames, reasons, (f, r) => f.system.errors?.[r] ?? 0);
  }
  // The reasons with the most failures over the window get a series each.
  const totals = new Map(reasons.map((r) => [r, frames.reduce((sum, f) => sum + (f.system.errors?.[r] ?? 0), 0)]));
  const top = [...reasons].sort((a, b) => totals.get(b)! - totals.get(a)!).slice(0, MAX_REASONS - 1);
  const kept = reasons.filter((r) => top.includes(r));
  const keptSet = new Set(kept);
  return build(frames, [...kept, 'other'], (f, r) => {
    const errors = f.system.errors ?? {};
    if (r !== 'other') return errors[r] ?? 0;
    return Object.entries(errors).reduce((sum, [k, v]) => (keptSet.has(k) ? sum : sum + v), 0);
  });
}

export function hitRatioData(frames: MetricFrame[]): ChartData {
  const caches = firstSeen(frames, (f) =>
    Object.entries(f.nodes)
      .filter(([, n]) => typeof n.hit_ratio === 'number')
      .map(([id]) => id),
  );
  return build(frames, caches, (f, id) => {
    const ratio = num(f.nodes[id]?.hit_ratio);
    return ratio === null ? null : ratio * 100;
  });
}

export function lagData(frames: MetricFrame[]): ChartData {
  const replicas = firstSeen(frames, (f) =>
    Object.entries(f.nodes)
      .filter(([, n]) => n.role === 'replica' || (n.kind === 'replica' && typeof n.replication_lag_ms === 'number'))
      .map(([id]) => id),
  );
  return build(frames, replicas, (f, id) => {
    const node = f.nodes[id];
    return node && node.role === 'replica' ? num(node.replication_lag_ms) : null;
  });
}

export function costData(frames: MetricFrame[]): ChartData {
  return build(frames, ['per month'], (f) => num(f.system.cost_per_month));
}

/** Two round ticks from `min` up to `max` (0 and 200), so that a short chart still says its scale. */
export function niceTicks(min: number, max: number): number[] {
  const low = Math.min(0, min);
  const span = max - low;
  if (!(span > 0) || !Number.isFinite(span)) return [low];
  const rough = span / 2;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => span / s < 2) ?? 10 * magnitude;
  const ticks: number[] = [];
  for (let v = Math.ceil(low / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Math.round(v * 1e6) / 1e6);
  return ticks;
}

/** Simulated seconds as m:ss (or h:mm:ss). */
export function formatSimTime(seconds: number): string {
  if (!Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}
