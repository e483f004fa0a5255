import { describe, expect, it } from 'vitest';
import { fakeSocketFactory } from './fakeSocket';
import { RunSocket } from './socket';

describe('RunSocket controls and live-run messages', () => {
  it('sends only while open, and passes acks, refusals and the event log on', () => {
    const { factory, sockets } = fakeSocketFactory();
    const seen: string[] = [];
    const client = new RunSocket<{ t: number }>({
      url: 'ws://testserver/ws/runs/r1/',
      factory,
      handlers: {
        onState: (run, _last, role) => seen.push(`state ${run.state} ${role}`),
        onEvents: (events) => seen.push(`events ${events.length}`),
        onFrame: (frame, seq) => seen.push(`frame ${seq} t=${frame.t}`),
        onAck: (id, action, t) => seen.push(`ack ${id} ${action} ${t}`),
        onControlError: (id, message, code) => seen.push(`refused ${id} ${code} ${message}`),
        onError: (message, code) => seen.push(`error ${code} ${message}`),
      },
    });
    client.connect();
    expect(client.send({ type: 'control', action: 'pause' })).toBe(false);
    const socket = sockets[0];
    socket.serverOpens();
    expect(client.send({ type: 'control', id: 'c1', action: 'pause' })).toBe(true);
    expect(socket.sent).toEqual([{ type: 'control', id: 'c1', action: 'pause' }]);

    socket.serverSends({ type: 'run.state', role: 'owner', run: { id: 'r1', state: 'running', frames: 0 }, last_seq: 0 });
    socket.serverSends({ type: 'run.events', events: [] });
    socket.serverSends({ type: 'run.frame', seq: 1, frame: { t: 1 } });
    socket.serverSends({ type: 'run.ack', id: 'c1', action: 'pause', t: 1 });
    socket.serverSends({ type: 'run.error', id: 'c2', code: 'invalid_control', message: 'bad' });
    socket.serverSends({ type: 'error', id: 'c3', code: 'forbidden', message: 'watch only' });
    socket.serverSends({ type: 'error', code: 'bad_json', message: 'not JSON' });
    expect(seen).toEqual([
      'state running owner',
      'events 0',
      'frame 1 t=1',
      'ack c1 pause 1',
      'refused c2 invalid_control bad',
      'refused c3 forbidden watch only',
      'error bad_json not JSON',
    ]);
  });

  it('treats a cancelled run as over and does not reconnect after it', () => {
    const { factory, sockets } = fakeSocketFactory();
    const client = new RunSocket({ url: 'ws://testserver/ws/runs/r1/', factory });
    client.connect();
    sockets[0].serverOpens();
    sockets[0].serverSends({ type: 'run.state', run: { id: 'r1', state: 'cancelled', frames: 0 }, last_seq: 0 });
    expect(client.status).toBe('closed');
  });
});
