/**
 * The engine's metric frame as a live run streams it (docs/metrics.md, docs/websocket-protocol.md):
 * simulated time, whole-system numbers, per-node numbers and the plain-word events of the tick.
 */
import type { RunEventLine } from './socket';

export interface SystemMetrics {
  users: number;
  offered_rps: number;
  served_rps: number;
  goodput_rps: number;
  error_rps?: number;
  error_rate: number;
  /** Failed requests per second by reason ("node down at web-1"). */
  errors: Record<string, number>;
  availability?: number;
  mean_ms?: number | null;
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
  lost_writes?: number;
  stale_reads?: number;
  backlog?: number;
  cost_per_hour?: number;
  cost_per_month?: number;
}

export interface NodeMetrics {
  kind: string;
  alive: boolean;
  instances_alive?: number;
  offered_rps?: number;
  served_rps?: number;
  utilization?: number;
  queue_length?: number;
  mean_ms?: number | null;
  p50_ms?: number | null;
  p95_ms?: number | null;
  p99_ms?: number | null;
  errors?: Record<string, number>;
  error_rps?: number;
  hit_ratio?: number;
  role?: string;
  replication_lag_ms?: number;
}

export interface MetricFrame {
  seq: number;
  /** Simulated seconds at the end of the tick. */
  t: number;
  /** Unix seconds at which the worker published it. */
  produced_at?: number;
  system: SystemMetrics;
  classes?: Record<string, Record<string, number | null>>;
  nodes: Record<string, NodeMetrics>;
  events?: RunEventLine[];
}

/** Reads a stored or streamed frame, accepting only the shape the charts and overlay need. */
export function asMetricFrame(value: unknown, seq?: number): MetricFrame | null {
  if (value === null || typeof value !== 'object') return null;
  const raw = value as Partial<MetricFrame>;
  if (typeof raw.t !== 'number' || raw.system === null || typeof raw.system !== 'object') return null;
  const frameSeq = typeof raw.seq === 'number' ? raw.seq : seq;
  if (typeof frameSeq !== 'number') return null;
  return {
    ...(raw as MetricFrame),
    seq: frameSeq,
    nodes: raw.nodes && typeof raw.nodes === 'object' ? raw.nodes : {},
    events: Array.isArray(raw.events) ? raw.events : [],
  };
}
