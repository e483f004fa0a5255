import { describe, expect, it } from 'vitest';
import { describeControl } from '../live/controls';
import { designRole } from '../domain/roles';
import { addLikeChange, cloneNote, edgeMenuItems, nodeMenuItems, siblingId } from './nodeActions';
import { parseSimTime } from './FailureTimeline';

const doc = {
  nodes: [
    { id: 'users', kind: 'users' },
    { id: 'lb', kind: 'load_balancer' },
    { id: 'web-1', kind: 'server', position: { x: 400, y: 120 }, zone: 'zone-a' },
    { id: 'web-2', kind: 'server', zone: 'zone-b' },
    { id: 'db', kind: 'database' },
  ],
  edges: [
    { from: 'users', to: 'lb', latency_ms: 40 },
    { from: 'lb', to: 'web-1', latency_ms: 0.5 },
    { from: 'lb', to: 'web-2' },
    { from: 'web-1', to: 'db' },
    { from: 'web-2', to: 'db' },
  ],
};

describe('node menu', () => {
  it('offers kill to a live server and restore, slow down and scaling', () => {
    const keys = nodeMenuItems({ id: 'web-1', kind: 'server' }, true, 2).map((i) => i.key);
    expect(keys).toEqual(['kill', 'kill-one', 'restore', 'slow-2', 'slow-5', 'slow-10', 'slow-1', 'grow', 'shrink']);
  });

  it('offers flush to caches and CDNs only, and nothing for users', () => {
    expect(nodeMenuItems({ id: 'cache', kind: 'cache' }, true).map((i) => i.key)).toContain('flush');
    expect(nodeMenuItems({ id: 'web-1', kind: 'server' }, true).map((i) => i.key)).not.toContain('flush');
    expect(nodeMenuItems({ id: 'users', kind: 'users' }, true)).toEqual([]);
  });

  it('does not offer to kill a dead node', () => {
    expect(nodeMenuItems({ id: 'web-1', kind: 'server' }, false).map((i) => i.key)[0]).toBe('restore');
  });

  it('builds the controls the protocol takes', () => {
    const slow = nodeMenuItems({ id: 'db', kind: 'database' }, true).find((i) => i.key === 'slow-5')!;
    expect(slow).toMatchObject({ action: 'slow', fields: { target: 'db', factor: 5 } });
    expect(edgeMenuItems('web-1', 'db')[0]).toMatchObject({ action: 'cut', fields: { target: 'web-1->db' } });
  });
});

/** Stage 4: a primary with two replicas behind two servers. */
const replicated = {
  nodes: [
    { id: 'users', kind: 'users' },
    { id: 'lb', kind: 'load_balancer' },
    { id: 'web-1', kind: 'server' },
    { id: 'db', kind: 'database' },
    { id: 'db-replica-1', kind: 'replica' },
    { id: 'db-replica-2', kind: 'replica' },
  ],
  edges: [
    { from: 'users', to: 'lb' },
    { from: 'lb', to: 'web-1' },
    { from: 'web-1', to: 'db' },
    { from: 'web-1', to: 'db-replica-1' },
    { from: 'web-1', to: 'db-replica-2' },
    { from: 'db', to: 'db-replica-1', kind: 'replication' },
    { from: 'db', to: 'db-replica-2', kind: 'replication' },
  ],
};

/** Stage 1: one server that keeps its own data. */
const single = { nodes: [{ id: 'users', kind: 'users' }, { id: 'web', kind: 'server' }], edges: [{ from: 'users', to: 'web' }] };

const keysFor = (doc: typeof replicated, id: string, instances = 1) => {
  const node = doc.nodes.find((n) => n.id === id)!;
  return nodeMenuItems(node, true, instances, designRole(doc, id)).map((i) => i.key);
};

describe('what the menu offers for the node’s kind and role', () => {
  it('never offers a primary database a second primary, by scaling or by cloning', () => {
    expect(keysFor(replicated, 'db')).not.toContain('grow');
    expect(addLikeChange(replicated, 'db')).toBeNull();
    expect(cloneNote({ id: 'db', kind: 'database' }, 'primary')).toContain('a second primary');
  });

  it('offers one more replica like a replica, but no instances (only servers have them)', () => {
    expect(keysFor(replicated, 'db-replica-1')).not.toContain('grow');
    const change = addLikeChange(replicated, 'db-replica-1')!;
    expect(change.node.id).toBe('db-replica-3');
    expect(change.edges).toContainEqual({ from: 'db', to: 'db-replica-3', kind: 'replication' });
    expect(cloneNote({ id: 'db-replica-1', kind: 'replica' }, 'replica')).toBeNull();
  });

  it('never clones a server that keeps its own data, and says what to do instead', () => {
    expect(keysFor(single, 'web')).not.toContain('grow');
    expect(addLikeChange(single, 'web')).toBeNull();
    expect(cloneNote({ id: 'web', kind: 'server' }, 'keeps-data')).toContain('Move the data to a database first');
    // A design that has one anyway may still shrink it.
    expect(keysFor(single, 'web', 3)).toContain('shrink');
  });

  it('scales out a server with a database behind it, and clones it', () => {
    expect(keysFor(replicated, 'web-1')).toContain('grow');
    expect(addLikeChange(replicated, 'web-1')).not.toBeNull();
  });

  it('gives balancers, caches and CDNs no instances to scale, but clones them', () => {
    for (const kind of ['load_balancer', 'cache', 'cdn', 'dns']) {
      const keys = nodeMenuItems({ id: 'x', kind }, true, 1, null).map((i) => i.key);
      expect(keys).not.toContain('grow');
      expect(keys).not.toContain('shrink');
    }
    expect(addLikeChange(replicated, 'lb')).not.toBeNull();
  });

  it('draws a resize into the design with the control', () => {
    const grow = nodeMenuItems({ id: 'web-1', kind: 'server' }, true, 2, null).find((i) => i.key === 'grow')!;
    expect(grow).toMatchObject({ fields: { target: 'web-1', instances: 3 }, edit: { type: 'instances', node: 'web-1', instances: 3 } });
  });
});

describe('add another like this', () => {
  it('names the sibling after the node', () => {
    expect(siblingId('web-1', ['web-1', 'web-2'])).toBe('web-3');
    expect(siblingId('db', ['db'])).toBe('db-2');
  });

  it('copies the node and links it like the original', () => {
    const change = addLikeChange(doc, 'web-1')!;
    expect(change.node).toEqual({ id: 'web-3', kind: 'server', position: { x: 400, y: 240 }, zone: 'zone-a' });
    expect(change.edges).toEqual([
      { from: 'lb', to: 'web-3', latency_ms: 0.5 },
      { from: 'web-3', to: 'db' },
    ]);
    expect(addLikeChange(doc, 'users')).toBeNull();
    expect(addLikeChange(doc, 'nope')).toBeNull();
  });
});

describe('words and times', () => {
  it('describes controls in plain words', () => {
    expect(describeControl('kill', { target: 'web-1' })).toBe('kill web-1');
    expect(describeControl('slow', { target: 'db', factor: 5 })).toBe('slow db ×5');
    expect(describeControl('users', { users: 20000 })).toBe('users → 20 k');
    expect(describeControl('speed', { speed: 0 })).toBe('speed as fast as possible');
  });

  it('reads simulated times', () => {
    expect(parseSimTime('90')).toBe(90);
    expect(parseSimTime('1:30')).toBe(90);
    expect(parseSimTime('2m')).toBe(120);
    expect(parseSimTime('soon')).toBeNull();
  });
});
