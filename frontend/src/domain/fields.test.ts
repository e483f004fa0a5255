import { describe, expect, it } from 'vitest';
import { boundsText, edgeFields, paramFields, parseField, unitOf } from './fields';
import { NODE_KINDS } from './scenario';

const field = (kind: Parameters<typeof paramFields>[0], name: string) => {
  const f = paramFields(kind).find((x) => x.name === name);
  if (!f) throw new Error(`no field ${name}`);
  return f;
};

describe('inspector fields from the JSON Schema', () => {
  it('has fields for every kind but users, the most telling first', () => {
    for (const kind of NODE_KINDS) {
      expect(paramFields(kind).length > 0).toBe(kind !== 'users');
    }
    expect(paramFields('server')[0].name).toBe('instances');
  });

  it('reads type, bounds, default and choices', () => {
    const instances = field('server', 'instances');
    expect(instances).toMatchObject({ type: 'integer', min: 1, max: 10000, default: 1 });
    expect(boundsText(instances)).toBe('1 – 10000');
    expect(field('server', 'instance_size').options).toContain('m5.24xlarge');
    expect(field('database', 'read_ms')).toMatchObject({ type: 'number', nullable: true, exclusiveMin: 0 });
    expect(boundsText(field('database', 'read_ms'))).toBe('> 0');
  });

  it('gives each measured field its unit', () => {
    expect(field('server', 'timeout_ms').unit).toBe('ms');
    expect(field('cdn', 'cache_size_gb').unit).toBe('GB');
    expect(field('load_balancer', 'capacity_rps').unit).toBe('req/s');
    expect(field('load_balancer', 'price_per_hour_usd').unit).toBe('USD/hour');
    expect(field('cache', 'ttl_s').unit).toBe('s');
    expect(edgeFields()[0]).toMatchObject({ name: 'latency_ms', unit: 'ms' });
    expect(unitOf('x', 'Something, seconds.')).toBe('seconds');
  });

  it('refuses values out of bounds with the engine’s wording', () => {
    const instances = field('server', 'instances');
    expect(parseField(instances, '0')).toEqual({ ok: false, error: 'must be at least 1' });
    expect(parseField(instances, '10001')).toEqual({ ok: false, error: 'must be at most 10000' });
    expect(parseField(instances, '2.5')).toEqual({ ok: false, error: 'must be a whole number' });
    expect(parseField(instances, 'many')).toEqual({ ok: false, error: 'must be a number' });
    expect(parseField(instances, '4')).toEqual({ ok: true, value: 4 });
    expect(parseField(instances, '')).toEqual({ ok: true, value: undefined });
    expect(parseField(field('server', 'read_ms'), '0')).toEqual({ ok: false, error: 'must be greater than 0' });
    expect(parseField(field('server', 'instance_size'), 'huge').ok).toBe(false);
  });
});
