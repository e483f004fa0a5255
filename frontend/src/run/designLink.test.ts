import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { emptyDocument, type ScenarioDocument } from '../domain/scenario';
import { redo, undo, useDesign } from '../store/design';
import { useSession } from '../store/session';
import {
  DEFAULT_USERS,
  applyDesignEdit,
  durationOf,
  failuresOf,
  setFailures,
  setWorkload,
  shapeOf,
  targetsOf,
  usersOf,
  whenSaved,
  workloadOf,
} from './designLink';

const stage: ScenarioDocument = {
  ...emptyDocument('stage 3'),
  nodes: [
    { id: 'users', kind: 'users' },
    { id: 'lb', kind: 'load_balancer', zone: 'zone-a' },
    { id: 'web-1', kind: 'server', zone: 'zone-b' },
    { id: 'db', kind: 'database', zone: 'zone-a' },
    { id: 'db-replica-1', kind: 'replica', zone: 'zone-b' },
  ],
  edges: [
    { from: 'users', to: 'lb' },
    { from: 'lb', to: 'web-1' },
    { from: 'web-1', to: 'db' },
    { from: 'db', to: 'db-replica-1', kind: 'replication' },
  ],
  workload: { users: 1000, requests_per_user_per_s: 0.15, shape: { type: 'spike', at_s: 60 } },
  run: { duration_s: 120 },
};

beforeEach(() => {
  useDesign.getState().load(stage);
  useSession.getState().reset({ mode: 'edit', scenarioId: 's1', save: 'saved' });
});

afterEach(() => vi.useRealTimers());

describe('reading the design', () => {
  it('reads the workload, the duration and the failures, with defaults', () => {
    expect(usersOf(stage)).toBe(1000);
    expect(shapeOf(stage)).toBe('spike');
    expect(durationOf(stage)).toBe(120);
    expect(failuresOf(stage)).toEqual([]);
    const bare = emptyDocument();
    expect([usersOf(bare), shapeOf(bare), durationOf(bare)]).toEqual([DEFAULT_USERS, 'constant', 300]);
  });

  it('offers nodes, request links and zones as failure targets', () => {
    expect(targetsOf(stage)).toEqual({
      nodes: ['lb', 'web-1', 'db', 'db-replica-1'],
      links: ['users->lb', 'lb->web-1', 'web-1->db'],
      zones: ['zone-a', 'zone-b'],
    });
  });
});

describe('writing the design', () => {
  it('changes the users as one undoable step, keeping the rest of the workload', () => {
    setWorkload({ users: 20_000 });
    const workload = useDesign.getState().doc.workload as Record<string, unknown>;
    expect(workload).toMatchObject({ users: 20_000, requests_per_user_per_s: 0.15 });
    undo();
    expect(usersOf(useDesign.getState().doc)).toBe(1000);
  });

  it('keeps the failure timeline in the document', () => {
    setFailures([{ action: 'kill', target: 'db', at_s: 60 }]);
    expect(useDesign.getState().doc.failures).toEqual([{ action: 'kill', target: 'db', at_s: 60 }]);
  });

  it('draws a node added during the run, once', () => {
    const edit = { type: 'add_node' as const, node: { id: 'web-2', kind: 'server' }, edges: [{ from: 'lb', to: 'web-2' }] };
    applyDesignEdit(edit);
    applyDesignEdit(edit);
    const doc = useDesign.getState().doc;
    expect(doc.nodes.filter((n) => n.id === 'web-2')).toHaveLength(1);
    expect(doc.edges).toContainEqual({ from: 'lb', to: 'web-2' });
  });

  it('keeps users changed during the run in the design, so they stay after it', () => {
    applyDesignEdit({ type: 'users', users: 1500 });
    expect(usersOf(useDesign.getState().doc)).toBe(1500);
    expect(workloadOf(useDesign.getState().doc).shape).toEqual({ type: 'spike', at_s: 60 });
  });
});

describe('taking back a change the run refused', () => {
  const db2 = {
    type: 'add_node' as const,
    node: { id: 'db-2', kind: 'database' },
    edges: [
      { from: 'web-1', to: 'db-2' },
      { from: 'db-2', to: 'db-replica-1', kind: 'replication' },
    ],
  };

  it('undoes exactly that edit while it is the newest, leaving nothing to redo', () => {
    setWorkload({ users: 2000 });
    const takeBack = applyDesignEdit(db2);
    expect(useDesign.getState().doc.nodes.map((n) => n.id)).toContain('db-2');
    takeBack();
    const doc = useDesign.getState().doc;
    expect(doc.nodes.map((n) => n.id)).not.toContain('db-2');
    expect(doc.edges).toEqual(stage.edges);
    expect(usersOf(doc)).toBe(2000);
    expect(useDesign.temporal.getState().futureStates).toEqual([]);
    redo();
    expect(useDesign.getState().doc.nodes.map((n) => n.id)).not.toContain('db-2');
  });

  it('reverts only that edit when the design changed since', () => {
    const takeBack = applyDesignEdit(db2);
    useDesign.getState().updateNode('web-1', { label: 'front' });
    takeBack();
    const doc = useDesign.getState().doc;
    expect(doc.nodes.map((n) => n.id)).toEqual(stage.nodes.map((n) => n.id));
    expect(doc.edges).toEqual(stage.edges);
    expect(doc.nodes.find((n) => n.id === 'web-1')?.label).toBe('front');
  });

  it('puts back the instances and the users it changed, unless changed again since', () => {
    const instances = applyDesignEdit({ type: 'instances', node: 'web-1', instances: 2 });
    const users = applyDesignEdit({ type: 'users', users: 5000 });
    instances();
    expect(useDesign.getState().doc.nodes.find((n) => n.id === 'web-1')?.params).toEqual({});
    users();
    expect(usersOf(useDesign.getState().doc)).toBe(1000);

    const refused = applyDesignEdit({ type: 'users', users: 7000 });
    setWorkload({ users: 8000 });
    refused();
    expect(usersOf(useDesign.getState().doc)).toBe(8000);
  });
});

describe('whenSaved', () => {
  it('resolves at once when nothing is waiting to be saved', async () => {
    await expect(whenSaved()).resolves.toBeUndefined();
  });

  it('waits for the save in flight', async () => {
    useSession.getState().set({ save: 'saving' });
    const saved = whenSaved();
    useSession.getState().set({ save: 'saved' });
    await expect(saved).resolves.toBeUndefined();
  });

  it('says why when the save failed or met someone else’s', async () => {
    useSession.getState().set({ save: 'pending' });
    const failed = whenSaved();
    useSession.getState().set({ save: 'failed', saveError: 'workload.users: must be at most 1e9' });
    await expect(failed).rejects.toThrow('workload.users: must be at most 1e9');
    useSession.getState().set({ save: 'conflict' });
    await expect(whenSaved()).rejects.toThrow('someone else saved');
  });

  it('gives up after a while', async () => {
    vi.useFakeTimers();
    useSession.getState().set({ save: 'saving' });
    const slow = whenSaved(1000);
    vi.advanceTimersByTime(1001);
    await expect(slow).rejects.toThrow('taking too long');
  });
});
