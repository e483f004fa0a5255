/** In-memory stand-in for a browser WebSocket, for tests: the test plays the server's part. */
import type { ServerMessage, SocketFactory, SocketLike } from './socket';

export class FakeSocket implements SocketLike {
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  closedWith: number | null = null;
  /** What the client sent, parsed, oldest first. */
  sent: unknown[] = [];

  constructor(readonly url: string) {}

  close(code = 1000): void {
    this.closedWith = code;
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }

  serverOpens(): void {
    this.onopen?.({} as Event);
  }

  serverSends(message: ServerMessage<unknown>): void {
    this.serverSendsRaw(JSON.stringify(message));
  }

  serverSendsRaw(data: string): void {
    this.onmessage?.({ data } as MessageEvent);
  }

  serverCloses(code: number): void {
    this.onclose?.({ code, reason: '' } as CloseEvent);
  }
}

/** A factory that records every socket it makes, newest last. */
export function fakeSocketFactory(): { factory: SocketFactory; sockets: FakeSocket[] } {
  const sockets: FakeSocket[] = [];
  const factory: SocketFactory = (url) => {
    const socket = new FakeSocket(url);
    sockets.push(socket);
    return socket;
  };
  return { factory, sockets };
}
