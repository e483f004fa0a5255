import { describe, expect, it } from 'vitest';
import { judgeLink } from './rules';
import type { ScenarioDocument } from './scenario';

const doc: ScenarioDocument = {
  version: 1,
  nodes: [
    { id: 'users', kind: 'users' },
    { id: 'lb', kind: 'load_balancer' },
    { id: 'web', kind: 'server' },
    { id: 'db', kind: 'database' },
    { id: 'db2', kind: 'database' },
    { id: 'replica', kind: 'replica' },
    { id: 'cache', kind: 'cache' },
  ],
  edges: [
    { from: 'users', to: 'lb' },
    { from: 'lb', to: 'web' },
    { from: 'web', to: 'db' },
    { from: 'db', to: 'replica', kind: 'replication' },
  ],
};

const reason = (from: string, to: string) => {
  const v = judgeLink(doc, from, to);
  return v.ok ? '' : v.reason;
};

describe('links that make sense', () => {
  it('accepts requests flowing from users towards the data', () => {
    expect(judgeLink(doc, 'web', 'cache')).toEqual({ ok: true, kind: 'request' });
    expect(judgeLink(doc, 'web', 'replica')).toEqual({ ok: true, kind: 'request' });
  });

  it('makes a database-to-replica link a replication link', () => {
    const fresh = { ...doc, edges: doc.edges.slice(0, 3) };
    expect(judgeLink(fresh, 'db', 'replica')).toEqual({ ok: true, kind: 'replication' });
  });

  it('refuses links into the users', () => {
    expect(reason('lb', 'users')).toMatch(/Nothing sends requests to the users/);
  });

  it('refuses a second primary for a replica', () => {
    expect(reason('db2', 'replica')).toMatch(/already replicates from db/);
  });

  it('refuses requests sent by a database or a replica', () => {
    expect(reason('db', 'cache')).toMatch(/does not send them on/);
    expect(reason('replica', 'cache')).toMatch(/replica answers requests/);
  });

  it('refuses self links, duplicates and cycles', () => {
    expect(reason('web', 'web')).toMatch(/itself/);
    expect(reason('lb', 'web')).toMatch(/already linked/);
    expect(reason('web', 'lb')).toMatch(/cycle/);
    expect(reason('web', 'users')).toMatch(/users/);
  });
});
