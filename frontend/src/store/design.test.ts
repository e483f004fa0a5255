import { beforeEach, describe, expect, it } from 'vitest';
import { emptyDocument } from '../domain/scenario';
import { redo, replaceDocument, undo, useDesign } from './design';

const s = () => useDesign.getState();
const ids = () => s().doc.nodes.map((n) => n.id);
const history = () => useDesign.temporal.getState();

beforeEach(() => s().load(emptyDocument()));

describe('design store', () => {
  it('adds components with fresh ids and selects the new one', () => {
    s().addNode('users', { x: 0, y: 0 });
    const web = s().addNode('server', { x: 200.4, y: 10 });
    expect(ids()).toEqual(['users', 'web-1']);
    expect(s().selectedNodes).toEqual([web]);
    expect(s().doc.nodes[1].position).toEqual({ x: 200, y: 10 });
  });

  it('links components when the link makes sense and says why not otherwise', () => {
    s().addNode('users', { x: 0, y: 0 });
    s().addNode('server', { x: 0, y: 0 });
    expect(s().connect('users', 'web-1')).toEqual({ ok: true, kind: 'request' });
    const refused = s().connect('web-1', 'users');
    expect(refused.ok).toBe(false);
    expect(s().doc.edges).toEqual([{ from: 'users', to: 'web-1' }]);
  });

  it('undoes and redoes a deletion, links included', () => {
    s().addNode('users', { x: 0, y: 0 });
    s().addNode('server', { x: 0, y: 0 });
    s().connect('users', 'web-1');
    s().select(['web-1'], []);
    s().removeSelection();
    expect(ids()).toEqual(['users']);
    expect(s().doc.edges).toEqual([]);
    undo();
    expect(ids()).toEqual(['users', 'web-1']);
    expect(s().doc.edges).toHaveLength(1);
    redo();
    expect(ids()).toEqual(['users']);
  });

  it('keeps selection changes out of the undo history', () => {
    s().addNode('users', { x: 0, y: 0 });
    const steps = history().pastStates.length;
    s().select(['users'], []);
    s().select([], []);
    expect(history().pastStates.length).toBe(steps);
  });

  it('makes a whole drag one undo step', () => {
    s().addNode('server', { x: 0, y: 0 });
    const steps = history().pastStates.length;
    s().beginDrag();
    for (let x = 10; x <= 100; x += 10) s().moveNodes({ 'web-1': { x, y: 0 } });
    s().endDrag();
    expect(history().pastStates.length).toBe(steps + 1);
    undo();
    expect(s().doc.nodes[0].position).toEqual({ x: 0, y: 0 });
  });

  it('copies and pastes components with their links under new ids', () => {
    s().addNode('users', { x: 0, y: 0 });
    s().addNode('server', { x: 0, y: 0 });
    s().addNode('database', { x: 100, y: 0 });
    s().connect('users', 'web-1');
    s().connect('web-1', 'db-1');
    s().select(['users', 'web-1', 'db-1'], []);
    expect(s().copySelection()).toBe(3);
    expect(s().paste()).toBe(2); // the users node stays unique
    expect(ids()).toEqual(['users', 'web-1', 'db-1', 'web-2', 'db-2']);
    expect(s().doc.edges.at(-1)).toEqual({ from: 'web-2', to: 'db-2' });
    expect(s().doc.nodes[4].position).toEqual({ x: 140, y: 40 });
    expect(s().selectedNodes).toEqual(['web-2', 'db-2']);
  });

  it('sets and clears parameters, clearing meaning "use the default"', () => {
    s().addNode('server', { x: 0, y: 0 });
    s().setParam('web-1', 'instances', 3);
    expect(s().doc.nodes[0].params).toEqual({ instances: 3 });
    s().setParam('web-1', 'instances', undefined);
    expect(s().doc.nodes[0].params).toEqual({});
  });

  it('forgets the history when another design is loaded', () => {
    s().addNode('server', { x: 0, y: 0 });
    s().load(emptyDocument());
    expect(history().pastStates).toHaveLength(0);
  });

  it('takes someone else’s document as one undoable step, so mine is one undo away', () => {
    s().addNode('server', { x: 0, y: 0 });
    replaceDocument({ ...emptyDocument('theirs'), nodes: [{ id: 'users', kind: 'users' }] });
    expect(ids()).toEqual(['users']);
    undo();
    expect(ids()).toEqual(['web-1']);
  });
});
