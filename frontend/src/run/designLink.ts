/**
 * Where the run panel meets the design: the workload's users and traffic shape, the run's
 * duration and the failure list live in the scenario document, so editing them before a run is
 * an ordinary (undoable, autosaved) change of the design.
 */
import type { DocEdge, DocNode, ScenarioDocument } from '../domain/scenario';
import { useDesign } from '../store/design';
import { useSession } from '../store/session';
import type { Failure, FailureTargets } from './FailureTimeline';
import type { DesignEdge, DesignNode } from './nodeActions';

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

/** Draws a node added to a live run on the canvas too, so the design shows what runs. */
export function addToDesign(change: { node: DesignNode; edges: DesignEdge[] }): void {
  setDoc((doc) => {
    if (doc.nodes.some((n) => n.id === change.node.id)) return doc;
    return {
      ...doc,
      nodes: [...doc.nodes, change.node as DocNode],
      edges: [...doc.edges, ...(change.edges as DocEdge[])],
    };
  });
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
