import { describe, expect, it } from 'vitest';
import type { MetricFrame } from '../live/frames';
import { MAX_REASONS, niceTicks, costData, errorsData, formatSimTime, hitRatioData, lagData, latencyData, throughputData } from './chartData';

function frame(t: number, errors: Record<string, number> = {}, nodes: MetricFrame['nodes'] = {}): MetricFrame {
  return {
    seq: t,
    t,
    system: { users: 1, offered_rps: 10 * t, served_rps: 9 * t, goodput_rps: 8 * t, error_rate: 0, errors, p50_ms: 1, p95_ms: null, p99_ms: 3, cost_per_month: 500 },
    nodes,
  };
}

describe('chart columns', () => {
  it('puts simulated time first and one column per series', () => {
    const data = throughputData([frame(1), frame(2)]);
    expect(data.labels).toEqual(['offered', 'served', 'goodput']);
    expect(data.columns).toEqual([[1, 2], [10, 20], [9, 18], [8, 16]]);
    expect(latencyData([frame(1)]).columns).toEqual([[1], [1], [null], [3]]);
    expect(costData([frame(1)]).columns).toEqual([[1], [500]]);
  });

  it('keeps error reasons in the order they appeared, zero when absent', () => {
    const data = errorsData([frame(1, { 'node down at web-1': 5 }), frame(2, { 'no primary': 2, 'node down at web-1': 1 })]);
    expect(data.labels).toEqual(['node down at web-1', 'no primary']);
    expect(data.columns.slice(1)).toEqual([[5, 1], [0, 2]]);
  });

  it('folds the rarest reasons into "other"', () => {
    const many: Record<string, number> = {};
    for (let i = 0; i < MAX_REASONS + 2; i++) many[`reason ${i}`] = i + 1;
    const data = errorsData([frame(1, many)]);
    expect(data.labels).toHaveLength(MAX_REASONS);
    expect(data.labels[data.labels.length - 1]).toBe('other');
    expect(data.columns[data.columns.length - 1]).toEqual([1 + 2 + 3]);
  });

  it('draws hit ratios in percent for caches and lag for replicas only', () => {
    const nodes = {
      cache: { kind: 'cache', alive: true, hit_ratio: 0.5 },
      db: { kind: 'database', alive: true, role: 'primary', replication_lag_ms: 0 },
      'db-replica-1': { kind: 'replica', alive: true, role: 'replica', replication_lag_ms: 20 },
    };
    expect(hitRatioData([frame(1, {}, nodes)])).toEqual({ labels: ['cache'], columns: [[1], [50]] });
    expect(lagData([frame(1, {}, nodes)])).toEqual({ labels: ['db-replica-1'], columns: [[1], [20]] });
    expect(hitRatioData([frame(1)]).labels).toEqual([]);
  });

  it('puts two round ticks on a short axis', () => {
    expect(niceTicks(0, 165)).toEqual([0, 100]);
    expect(niceTicks(0, 247)).toEqual([0, 200]);
    expect(niceTicks(0, 100)).toEqual([0, 100]);
    expect(niceTicks(0, 0.9)).toEqual([0, 0.5]);
    expect(niceTicks(0, 0)).toEqual([0]);
  });

  it('writes simulated time as minutes and seconds', () => {
    expect(formatSimTime(0)).toBe('0:00');
    expect(formatSimTime(43)).toBe('0:43');
    expect(formatSimTime(300)).toBe('5:00');
    expect(formatSimTime(3725)).toBe('1:02:05');
  });
});
