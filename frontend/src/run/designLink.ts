/**
 * Where the run panel meets the design: the workload's users and traffic shape, the run's
 * duration and the failure list live in the scenario document, so editing them before a run is
 * an ordinary (undoable, autosaved) change of the design. A live change that alters the design
 * (a node added, instances or users changed) is drawn into it too, and taken back when the run
 * refuses it, so that the design never keeps what did not run.
 */
import type { DocEdge, DocNode, ScenarioDocument } from '../domain/scenario';
import { useDesign } from '../store/design';
import { useSession } from '../store/session';
import type { Failure, FailureTargets } from './FailureTimeline';
import type { DesignEdit } from './nodeActions';

export const DEFAULT_USERS = 10_000;
export const DEFAULT_DURATION_S = 300;
/** The scenario format's default workload.requests_per_user_per_s. */
export const DEFAULT_REQUESTS_PER_USER_PER_S = 0.2;

type Workload = { users?: number; requests_per_user_per_s?: number; shape?: { type?: string } } & Record<string, unknown>;

export function workloadOf(doc: ScenarioDocument): Workload {
  const w = doc.workload;
  return w !== null && typeof w === 'object' && !Array.isArray(w) ? (w as Workload) : {};
}

export function usersOf(doc: ScenarioDocument): number {
  const users = workloadOf(doc).users;
  return typeof users === 'number' ? users : DEFAULT_USERS;
}

export function requestsPerUserOf(doc: ScenarioDocument): number {
  const rate = workloadOf(doc).requests_per_user_per_s;
  return typeof rate === 'number' ? rate : DEFAULT_REQUESTS_PER_USER_PER_S;
}

export function shapeOf(doc: ScenarioDocument): string {
  return workloadOf(doc).shape?.type ?? 'constant';
}

export function durationOf(doc: ScenarioDocument): number {
  const run = doc.run as { duration_s?: unknown } | undefined;
  return typeof run?.duration_s === 'number' ? run.duration_s : DEFAULT_DURATION_S;
}

export function failuresOf(doc: ScenarioDocument): Failure[] {
  return Array.isArray(doc.failures) ? (doc.failures as Failure[]) : [];
}

export function targetsOf(doc: ScenarioDocument): FailureTargets {
  const zones = [...new Set(doc.nodes.map((n) => n.zone ?? 'zone-a'))];
  return {
    nodes: doc.nodes.filter((n) => n.kind !== 'users').map((n) => n.id),
    links: doc.edges.filter((e) => e.kind !== 'replication').map((e) => `${e.from}->${e.to}`),
    zones,
  };
}

function setDoc(change: (doc: ScenarioDocument) => ScenarioDocument): void {
  useDesign.setState((s) => ({ doc: change(s.doc) }));
}

export function setWorkload(patch: Record<string, unknown>): void {
  setDoc((doc) => ({ ...doc, workload: { ...workloadOf(doc), ...patch } }));
}

export function setFailures(failures: Failure[]): void {
  setDoc((doc) => ({ ...doc, failures }));
}

function withNode(doc: ScenarioDocument, id: string, change: (node: DocNode) => DocNode): ScenarioDocument {
  return { ...doc, nodes: doc.nodes.map((n) => (n.id === id ? change(n) : n)) };
}

function withInstances(node: DocNode, instances: unknown): DocNode {
  const params = { ...(node.params ?? {}) };
  if (instances === undefined) delete params.instances;
  else params.instances = instances;
  return { ...node, params };
}

/** The design with a live change drawn in: a node added, instances or users changed. */
export function editDocument(doc: ScenarioDocument, edit: DesignEdit): ScenarioDocument {
  switch (edit.type) {
    case 'add_node':
      if (doc.nodes.some((n) => n.id === edit.node.id)) return doc;
      return { ...doc, nodes: [...doc.nodes, edit.node as DocNode], edges: [...doc.edges, ...(edit.edges as DocEdge[])] };
    case 'instances':
      return withNode(doc, edit.node, (n) => withInstances(n, edit.instances));
    case 'users':
      return { ...doc, workload: { ...workloadOf(doc), users: edit.users } };
  }
}

/**
 * The design with a live change taken out again, `before` being the design it was made on.
 * Only what the change set is put back: an edit made since to the same place stays.
 */
export function revertDocument(doc: ScenarioDocument, edit: DesignEdit, before: ScenarioDocument): ScenarioDocument {
  switch (edit.type) {
    case 'add_node': {
      const id = edit.node.id;
      const added = new Set(edit.edges.map((e) => `${e.from}->${e.to}`));
      return {
        ...doc,
        nodes: doc.nodes.filter((n) => n.id !== id),
        edges: doc.edges.filter((e) => e.from !== id && e.to !== id && !added.has(`${e.from}->${e.to}`)),
      };
    }
    case 'instances': {
      const now = doc.nodes.find((n) => n.id === edit.node);
      if (now?.params?.instances !== edit.instances) return doc;
      const was = before.nodes.find((n) => n.id === edit.node)?.params?.instances;
      return withNode(doc, edit.node, (n) => withInstances(n, was));
    }
    case 'users': {
      if (workloadOf(doc).users !== edit.users) return doc;
      const workload = { ...workloadOf(doc) };
      const was = workloadOf(before).users;
      if (was === undefined) delete workload.users;
      else workload.users = was;
      return { ...doc, workload };
    }
  }
}

/**
 * Draws a live change on the canvas too, so that the design shows what runs (and is saved with
 * it); returns how to take exactly that edit back when the run refuses the change. While the
 * edit is still the newest step, that is one undo (with nothing left to redo); after other
 * edits, the change alone is reverted as a new step.
 */
export function applyDesignEdit(edit: DesignEdit): () => void {
  const before = useDesign.getState().doc;
  setDoc((doc) => editDocument(doc, edit));
  const after = useDesign.getState().doc;
  if (after === before) return () => undefined;
  return () => {
    const history = useDesign.temporal.getState();
    const last = history.pastStates[history.pastStates.length - 1];
    if (useDesign.getState().doc === after && last?.doc === before) {
      const future = history.futureStates;
      history.undo();
      useDesign.temporal.setState({ futureStates: future });
    } else {
      setDoc((doc) => revertDocument(doc, edit, before));
    }
  };
}

/**
 * Resolves once the design on screen is saved, so that a run snapshots it; rejects with the
 * reason when the save failed or met someone else's.
 */
export function whenSaved(timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = (save: string, error: string | null): boolean => {
      if (save === 'saved') {
        resolve();
        return true;
      }
      if (save === 'conflict') {
        reject(new Error('someone else saved this design meanwhile; settle that first'));
        return true;
      }
      if (save === 'failed') {
        reject(new Error(error ?? 'the last save failed'));
        return true;
      }
      return false;
    };
    const now = useSession.getState();
    if (check(now.save, now.saveError)) return;
    const timer = setTimeout(() => {
      stop();
      reject(new Error('the save is taking too long'));
    }, timeoutMs);
    const stop = useSession.subscribe((s) => {
      if (check(s.save, s.saveError)) {
        clearTimeout(timer);
        stop();
      }
    });
  });
}
