/** The controls an owner sends to a live run (docs/websocket-protocol.md), and how each reads. */
import { formatUsers } from '../run/usersScale';

export type ControlAction =
  | 'pause'
  | 'resume'
  | 'stop'
  | 'speed'
  | 'kill'
  | 'restore'
  | 'slow'
  | 'flush'
  | 'cut'
  | 'zone_down'
  | 'zone_up'
  | 'users'
  | 'add_node'
  | 'remove_node'
  | 'resize';

export type ControlFields = Record<string, unknown>;

export function speedLabel(speed: number): string {
  return speed === 0 ? 'as fast as possible' : `${speed}×`;
}

/** "kill web-1", "slow web-1 ×5", "users → 20 k": what a control does, for the controls list. */
export function describeControl(action: string, fields: ControlFields = {}): string {
  const target = typeof fields.target === 'string' ? fields.target : '';
  switch (action) {
    case 'pause':
    case 'resume':
    case 'stop':
      return `${action} the run`;
    case 'speed':
      return `speed ${speedLabel(Number(fields.speed))}`;
    case 'kill':
      return fields.instances ? `kill ${fields.instances} of ${target}` : `kill ${target}`;
    case 'slow':
      return Number(fields.factor) === 1 ? `${target} back to normal speed` : `slow ${target} ×${fields.factor}`;
    case 'users':
      return `users → ${formatUsers(Number(fields.users))}`;
    case 'zone_down':
      return `take ${target} down`;
    case 'zone_up':
      return `bring ${target} back`;
    case 'add_node': {
      const node = fields.node as { id?: string } | undefined;
      return `add ${node?.id ?? 'a node'}`;
    }
    case 'remove_node':
      return `remove ${target}`;
    case 'resize': {
      const parts = [];
      if (fields.instances !== undefined) parts.push(`${fields.instances} instances`);
      if (fields.instance_size !== undefined) parts.push(String(fields.instance_size));
      return `resize ${target} to ${parts.join(', ')}`;
    }
    default:
      return target ? `${action} ${target}` : action;
  }
}
