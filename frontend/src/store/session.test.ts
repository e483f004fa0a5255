import { describe, expect, it } from 'vitest';
import { problemsByPlace } from './session';

describe('problemsByPlace', () => {
  it('puts each problem on the node or link its path names', () => {
    const places = problemsByPlace({
      errors: [
        { path: 'nodes[web].params.instances', message: 'must be at least 1' },
        { path: 'edges[users->web].to', message: 'nothing sends requests to the users' },
        { path: 'workload.mix', message: 'fractions add up to 1.1' },
      ],
      warnings: [{ path: 'nodes[db-replica-1]', message: 'is not connected' }],
    });
    expect(places.nodes.get('web')).toEqual({ errors: ['params.instances: must be at least 1'], warnings: [] });
    expect(places.nodes.get('db-replica-1')?.warnings).toEqual(['is not connected']);
    expect(places.edges.get('users->web')?.errors).toEqual(['to: nothing sends requests to the users']);
    expect(places.design.errors.map((i) => i.path)).toEqual(['workload.mix']);
  });
});
