import { describe, expect, it } from 'vitest';
import { designRole, hasDatabaseBehind } from './roles';

const stage1 = {
  nodes: [
    { id: 'users', kind: 'users' },
    { id: 'web', kind: 'server' },
  ],
  edges: [{ from: 'users', to: 'web' }],
};

const stage4 = {
  nodes: [
    { id: 'users', kind: 'users' },
    { id: 'lb', kind: 'load_balancer' },
    { id: 'web-1', kind: 'server' },
    { id: 'cache', kind: 'cache' },
    { id: 'db', kind: 'database' },
    { id: 'db-replica-1', kind: 'replica' },
  ],
  edges: [
    { from: 'users', to: 'lb' },
    { from: 'lb', to: 'web-1' },
    { from: 'web-1', to: 'cache' },
    { from: 'cache', to: 'db' },
    { from: 'web-1', to: 'db-replica-1' },
    { from: 'db', to: 'db-replica-1', kind: 'replication' },
  ],
};

describe('roles in the design', () => {
  it('calls a database the primary and a replicated-to node a replica', () => {
    expect(designRole(stage4, 'db')).toBe('primary');
    expect(designRole(stage4, 'db-replica-1')).toBe('replica');
  });

  it('finds the database behind a server through a cache, but not through a replication link', () => {
    expect(hasDatabaseBehind(stage4, 'web-1')).toBe(true);
    expect(designRole(stage4, 'web-1')).toBeNull();
    expect(hasDatabaseBehind(stage4, 'lb')).toBe(true);
    expect(hasDatabaseBehind(stage1, 'web')).toBe(false);
  });

  it('says a server with no database behind it keeps its own data, unless nothing is written', () => {
    expect(designRole(stage1, 'web')).toBe('keeps-data');
    expect(designRole({ ...stage1, workload: { mix: { static: 0.5, read: 0.5, write: 0 } } }, 'web')).toBeNull();
  });

  it('gives other kinds and unknown nodes no role', () => {
    expect(designRole(stage4, 'lb')).toBeNull();
    expect(designRole(stage4, 'cache')).toBeNull();
    expect(designRole(stage4, 'users')).toBeNull();
    expect(designRole(stage4, 'nope')).toBeNull();
  });
});
