import { describe, expect, it } from 'vitest';
import type { MetricFrame, NodeMetrics } from '../live/frames';
import { DEAD_COLOUR, edgeFlows, edgeWidth, frameOverlay, healthOf, nodeVisual, usersShown, utilisationColour } from './overlay';

const server = (extra: Partial<NodeMetrics> = {}): NodeMetrics => ({
  kind: 'server',
  alive: true,
  instances_alive: 1,
  offered_rps: 100,
  served_rps: 100,
  utilization: 0.3,
  queue_length: 0,
  errors: {},
  error_rps: 0,
  ...extra,
});

function frame(nodes: Record<string, NodeMetrics>, errors: Record<string, number> = {}): MetricFrame {
  return {
    seq: 1,
    t: 10,
    system: { users: 1000, offered_rps: 200, served_rps: 200, goodput_rps: 200, error_rate: 0, errors, p50_ms: 1, p95_ms: 2, p99_ms: 3 },
    nodes,
  };
}

const stage3 = [
  { from: 'users', to: 'lb' },
  { from: 'lb', to: 'web-1' },
  { from: 'lb', to: 'web-2' },
  { from: 'web-1', to: 'db' },
  { from: 'web-2', to: 'db' },
];

describe('node visuals', () => {
  it('goes from green through amber to red as utilisation rises', () => {
    const hue = (c: string) => Number(/hsl\((\d+)/.exec(c)![1]);
    expect(hue(utilisationColour(0))).toBeGreaterThan(120);
    expect(hue(utilisationColour(0.8))).toBeGreaterThan(15);
    expect(hue(utilisationColour(0.8))).toBeLessThan(50);
    expect(hue(utilisationColour(1))).toBe(0);
    expect(hue(utilisationColour(3))).toBe(0);
  });

  it('classes a node by its health', () => {
    expect(healthOf(server())).toBe('ok');
    expect(healthOf(server({ utilization: 0.8 }))).toBe('busy');
    expect(healthOf(server({ utilization: 0.99 }))).toBe('saturated');
    expect(healthOf(server({ utilization: 0.5, queue_length: 40 }))).toBe('saturated');
    expect(healthOf(server({ alive: false }))).toBe('dead');
    expect(healthOf(server({ offered_rps: 0, utilization: 0 }))).toBe('idle');
  });

  it('says utilisation, queue and errors in short words', () => {
    const v = nodeVisual('web-1', server({ utilization: 0.82, queue_length: 1200, error_rps: 95 }));
    expect(v.lines).toEqual(['82 % busy', 'queue 1.2 k', 'errors 95/s']);
    expect(v.description).toContain('web-1 is saturated');
  });

  it('greys out a dead node and counts its errors from the reasons', () => {
    const v = nodeVisual('web-1', server({ alive: false, utilization: 0, error_rps: undefined, errors: { 'node down at web-1': 94.8 } }));
    expect(v.colour).toBe(DEAD_COLOUR);
    expect(v.lines[0]).toBe('down');
    expect(v.errorRps).toBeCloseTo(94.8);
  });

  it('shows a cache hit ratio and a replica lag', () => {
    expect(nodeVisual('cache', { kind: 'cache', alive: true, utilization: 0.1, hit_ratio: 0.594 }).lines).toContain('hits 59 %');
    const replica = nodeVisual('db-replica-1', { kind: 'replica', alive: true, utilization: 0.2, role: 'replica', replication_lag_ms: 20 });
    expect(replica.lagMs).toBe(20);
    expect(replica.roleText).toBe('replica · lag 20 ms');
    expect(replica.roleChanged).toBe(false);
  });

  it('shows the roles the run has after a promotion, not the ones the design drew', () => {
    // Stage 4 after db died: db-replica-1 was promoted, db came back as a replica.
    const promoted = nodeVisual('db-replica-1', { kind: 'replica', alive: true, utilization: 0.5, role: 'primary', replication_lag_ms: 0 });
    expect(promoted).toMatchObject({ role: 'primary', roleText: 'primary', roleChanged: true, lagMs: null });
    expect(promoted.description).toContain('now primary');
    const stillDown = nodeVisual('db', { kind: 'database', alive: false, utilization: 0, role: 'replica', replication_lag_ms: 0 });
    expect(stillDown).toMatchObject({ roleText: 'replica', lagMs: null });
    const returned = nodeVisual('db', { kind: 'database', alive: true, utilization: 0.1, role: 'replica', replication_lag_ms: 12.4 });
    expect(returned).toMatchObject({ role: 'replica', roleText: 'replica · lag 12 ms', roleChanged: true, lagMs: 12.4 });
    const primary = nodeVisual('db', { kind: 'database', alive: true, utilization: 0.3, role: 'primary', replication_lag_ms: 0 });
    expect(primary).toMatchObject({ roleText: 'primary', roleChanged: false });
    expect(nodeVisual('web-1', server()).roleText).toBeNull();
  });

  it("shows the run's users on the users node while a frame is on screen", () => {
    expect(usersShown(1000, 1500)).toBe(1500);
    expect(usersShown(1000, undefined)).toBe(1000);
    expect(usersShown(undefined, undefined)).toBeUndefined();
  });

  it('gives users and other nodes without capacity no utilisation', () => {
    const v = nodeVisual('users', { kind: 'users', alive: true, offered_rps: 150, utilization: 0 });
    expect(v.utilization).toBeNull();
    expect(v.lines).toEqual(['150 req/s']);
  });
});

describe('link flows', () => {
  it('gives a load balancer target its arrivals and splits a shared database by sender', () => {
    const f = frame({
      users: { kind: 'users', alive: true, offered_rps: 200, served_rps: 200 },
      lb: { kind: 'load_balancer', alive: true, offered_rps: 200, served_rps: 200 },
      'web-1': server({ offered_rps: 150, served_rps: 150 }),
      'web-2': server({ offered_rps: 50, served_rps: 50 }),
      db: { kind: 'database', alive: true, offered_rps: 100, served_rps: 100 },
    });
    const flows = edgeFlows(f, stage3);
    expect(flows['users->lb']).toBe(200);
    expect(flows['lb->web-1']).toBe(150);
    expect(flows['web-1->db']).toBeCloseTo(75);
    expect(flows['web-2->db']).toBeCloseTo(25);
  });

  it('carries nothing over a cut link and marks links into a dead node broken', () => {
    const f = frame(
      {
        lb: { kind: 'load_balancer', alive: true, offered_rps: 200, served_rps: 200 },
        'web-1': server({ alive: false, offered_rps: 100 }),
        'web-2': server({ offered_rps: 100 }),
        db: { kind: 'database', alive: true, offered_rps: 50, served_rps: 50 },
      },
      { 'link cut web-2->db': 10 },
    );
    const overlay = frameOverlay(f, stage3);
    expect(overlay.edges['lb->web-1'].broken).toBe(true);
    expect(overlay.edges['web-2->db']).toMatchObject({ rps: 0, broken: true });
    expect(overlay.edges['lb->web-2'].broken).toBe(false);
  });

  it('draws the busiest link thickest and idle links thin', () => {
    expect(edgeWidth(0, 100)).toBe(1.5);
    expect(edgeWidth(100, 100)).toBe(9);
    expect(edgeWidth(25, 100)).toBeGreaterThan(1.5);
    expect(edgeWidth(25, 100)).toBeLessThan(9);
  });

  it('leaves replication links out of the request flow', () => {
    const f = frame({ db: { kind: 'database', alive: true, offered_rps: 10, served_rps: 10 }, r: { kind: 'replica', alive: true, offered_rps: 5 } });
    expect(edgeFlows(f, [{ from: 'db', to: 'r', kind: 'replication' }])).toEqual({});
  });
});
