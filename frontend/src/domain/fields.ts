/**
 * Typed inspector fields generated from the scenario's JSON Schema (the committed
 * `simulation/schema/scenario-v1.schema.json`): type, bounds, default, choices, and the unit
 * that the field's name and description carry.
 */
import schema from '../../../simulation/schema/scenario-v1.schema.json';
import type { NodeKind } from './scenario';

interface JsonSchema {
  type?: string;
  enum?: string[];
  const?: unknown;
  anyOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  default?: unknown;
  description?: string;
  title?: string;
  properties?: Record<string, JsonSchema>;
  $ref?: string;
}

export interface FieldSpec {
  name: string;
  label: string;
  type: 'integer' | 'number' | 'choice' | 'text';
  nullable: boolean;
  options: string[];
  min?: number;
  max?: number;
  exclusiveMin?: number;
  exclusiveMax?: number;
  maxLength?: number;
  default: unknown;
  unit: string;
  help: string;
}

const defs = (schema as unknown as { $defs: Record<string, JsonSchema> }).$defs;

const PARAMS_DEF: Record<NodeKind, string> = {
  users: 'UsersParams',
  dns: 'DnsParams',
  cdn: 'CdnParams',
  load_balancer: 'LoadBalancerParams',
  server: 'ServerParams',
  cache: 'CacheParams',
  database: 'DatabaseParams',
  replica: 'ReplicaParams',
};

const SUFFIX_UNITS: [string, string][] = [
  ['_ms', 'ms'],
  ['_s', 's'],
  ['_gb', 'GB'],
  ['_kb', 'KB'],
  ['_rps', 'req/s'],
  ['_per_month_usd', 'USD/month'],
  ['_per_hour_usd', 'USD/hour'],
  ['_per_gb_usd', 'USD/GB'],
];

/** The unit a field is measured in, from its name (`timeout_ms`) or its description. */
export function unitOf(name: string, description = ''): string {
  for (const [suffix, unit] of SUFFIX_UNITS) if (name.endsWith(suffix)) return unit;
  const tail = /,\s*([A-Za-z$/ ]{1,12})\s*(\(.*\))?\.?$/.exec(description);
  return tail ? tail[1].trim() : '';
}

function humanise(name: string): string {
  const words = name
    .replace(/_(ms|s|gb|kb|rps|usd)$/, '')
    .replace(/_per_(month|hour|gb)_usd$/, '')
    .split('_')
    .join(' ');
  return words[0].toUpperCase() + words.slice(1);
}

export function fieldFromSchema(name: string, prop: JsonSchema): FieldSpec | null {
  let core = prop;
  let nullable = false;
  if (prop.anyOf) {
    const parts = prop.anyOf.filter((p) => p.type !== 'null');
    nullable = parts.length < prop.anyOf.length;
    if (parts.length !== 1) return null;
    core = parts[0];
  }
  let type: FieldSpec['type'];
  if (core.enum) type = 'choice';
  else if (core.type === 'integer') type = 'integer';
  else if (core.type === 'number') type = 'number';
  else if (core.type === 'string') type = 'text';
  else return null; // objects (weights) are edited elsewhere or left to the file
  const description = prop.description ?? core.description ?? '';
  return {
    name,
    label: humanise(name),
    type,
    nullable,
    options: core.enum ?? [],
    min: core.minimum,
    max: core.maximum,
    exclusiveMin: core.exclusiveMinimum,
    exclusiveMax: core.exclusiveMaximum,
    maxLength: core.maxLength,
    default: prop.default,
    unit: unitOf(name, description),
    help: description,
  };
}

function fieldsOf(def: JsonSchema): FieldSpec[] {
  return Object.entries(def.properties ?? {})
    .map(([name, prop]) => fieldFromSchema(name, prop))
    .filter((f): f is FieldSpec => f !== null);
}

const ORDER = ['instances', 'instance_size', 'engine', 'algorithm', 'mode', 'replication'];
const rank = (f: FieldSpec) => (ORDER.includes(f.name) ? ORDER.indexOf(f.name) : ORDER.length);

/** The parameters of a component kind, the most telling first. */
export function paramFields(kind: NodeKind): FieldSpec[] {
  return fieldsOf(defs[PARAMS_DEF[kind]]).sort((a, b) => rank(a) - rank(b));
}

/** The fields of a link (other than its ends and kind). */
export function edgeFields(): FieldSpec[] {
  return fieldsOf(defs.Edge).filter((f) => f.name === 'latency_ms');
}

/** The node fields every kind shares (label, zone). */
export function nodeFields(): FieldSpec[] {
  return fieldsOf(defs.ServerNode).filter((f) => f.name === 'label' || f.name === 'zone');
}

const num = (v: number) => String(v);

/**
 * Checks what the user typed against the field; returns the value to store (undefined for
 * "use the default") or the reason it is refused, worded like the engine's messages.
 */
export function parseField(
  field: FieldSpec,
  raw: string,
): { ok: true; value: unknown } | { ok: false; error: string } {
  const text = raw.trim();
  if (field.type === 'choice') {
    if (field.options.includes(text)) return { ok: true, value: text };
    return { ok: false, error: `must be one of ${field.options.join(', ')}` };
  }
  if (field.type === 'text') {
    if (field.maxLength !== undefined && text.length > field.maxLength) {
      return { ok: false, error: `must be at most ${field.maxLength} characters` };
    }
    return { ok: true, value: text };
  }
  if (text === '') {
    return field.nullable || field.default !== undefined
      ? { ok: true, value: undefined }
      : { ok: false, error: 'is required' };
  }
  const value = Number(text);
  if (!Number.isFinite(value)) return { ok: false, error: 'must be a number' };
  if (field.type === 'integer' && !Number.isInteger(value)) {
    return { ok: false, error: 'must be a whole number' };
  }
  if (field.min !== undefined && value < field.min) {
    return { ok: false, error: `must be at least ${num(field.min)}` };
  }
  if (field.exclusiveMin !== undefined && value <= field.exclusiveMin) {
    return { ok: false, error: `must be greater than ${num(field.exclusiveMin)}` };
  }
  if (field.max !== undefined && value > field.max) {
    return { ok: false, error: `must be at most ${num(field.max)}` };
  }
  if (field.exclusiveMax !== undefined && value >= field.exclusiveMax) {
    return { ok: false, error: `must be less than ${num(field.exclusiveMax)}` };
  }
  return { ok: true, value };
}

/** Bounds in words, for the field's hint: "1 – 10000", "> 0", "≥ 0". */
export function boundsText(field: FieldSpec): string {
  const lo =
    field.min !== undefined ? num(field.min) : field.exclusiveMin !== undefined ? `>${num(field.exclusiveMin)}` : '';
  const hi = field.max !== undefined ? num(field.max) : '';
  if (lo && hi) return `${lo} – ${hi}`;
  if (lo) return lo.startsWith('>') ? `> ${lo.slice(1)}` : `≥ ${lo}`;
  if (hi) return `≤ ${hi}`;
  return '';
}
