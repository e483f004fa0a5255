/**
 * WebSocket client for one run: resumes from the last frame seen and reconnects with backoff.
 * Framework-free; the socket constructor is injected so tests can drive a fake.
 */

export type WsStatus = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface RunSummary {
  id: string;
  /** queued | running | paused | finished | failed | cancelled, exactly as the server sends it. */
  state: string;
  frames: number;
  /** Why a failed run failed; empty otherwise. */
  failure_reason?: string;
  kind?: string;
  scenario?: string | null;
  engine?: string;
  duration_s?: number;
  speed?: number;
  seed?: number;
  /** Simulated seconds reached. */
  sim_time?: number;
  /** Where a queued run waits for a worker; null once it runs. Checked by `asRunQueue`. */
  queue?: unknown;
}

/** A queued run's place in the line for a worker host, as the server words it. */
export interface RunQueue {
  /** 1 for the next run to start. */
  place: number;
  /** Runs waiting in all. */
  waiting: number | null;
  /** Seconds until it likely starts; null when unknown. */
  estimate_s: number | null;
  /** The place in words: "2nd in line, about 20 s". */
  text: string;
}

/** One line of a run's event log, in plain words, at simulated time `t`. */
export interface RunEventLine {
  t: number;
  level: string;
  node: string | null;
  text: string;
}

/** A control's id as the sender gave it (echoed back in acks and errors). */
export type ControlId = string | number;

export interface PingFrame {
  seq: number;
  sim_time: number;
  /** Unix time in seconds at which the worker produced the frame. */
  produced_at: number;
  worker: string;
  message: string;
}

/** Messages from the server (docs/websocket-protocol.md); `F` is the frame's shape. */
export type ServerMessage<F = PingFrame> =
  | { type: 'run.state'; run: RunSummary; last_seq: number; role?: 'owner' | 'watcher' }
  | { type: 'run.events'; events: RunEventLine[] }
  | { type: 'run.queue'; queue: unknown }
  | { type: 'run.frame'; seq: number; frame: F }
  | { type: 'run.ack'; id: ControlId | null; action: string; t: number }
  | { type: 'run.error'; id: ControlId | null; code: string; message: string }
  | { type: 'error'; code: string; message: string; id?: ControlId };

/** The part of the browser WebSocket this client uses. */
export interface SocketLike {
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  close(code?: number, reason?: string): void;
  send?(data: string): void;
}

export type SocketFactory = (url: string) => SocketLike;

export interface RunSocketHandlers<F = PingFrame> {
  onStatus?: (status: WsStatus) => void;
  onState?: (run: RunSummary, lastSeq: number, role: 'owner' | 'watcher' | null) => void;
  onEvents?: (events: RunEventLine[]) => void;
  /** A queued run's place changed (the raw `queue` object; see `asRunQueue`). */
  onQueue?: (queue: unknown) => void;
  onFrame?: (frame: F, seq: number) => void;
  onAck?: (id: ControlId | null, action: string, t: number) => void;
  /** A control was refused: by the worker (`run.error`) or by the connection (`error` with an id). */
  onControlError?: (id: ControlId | null, message: string, code: string) => void;
  onError?: (message: string, code: string) => void;
}

export interface RunSocketOptions<F = PingFrame> {
  /** Absolute ws:// or wss:// URL of the run; `after` is added to it on every connect. */
  url: string;
  handlers?: RunSocketHandlers<F>;
  factory?: SocketFactory;
  /** Frames up to this seq are already known; the first connect asks only for later ones. */
  after?: number;
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Returns a number in [0, 1); injected so tests get exact delays. */
  random?: () => number;
}

const NORMAL_CLOSURE = 1000;
const TERMINAL_STATES = new Set(['finished', 'failed', 'cancelled']);

/** Close codes 4000-4999 are the server's final word (4404: the run does not exist). */
export function isFinalCloseCode(code: number): boolean {
  return code >= 4000 && code <= 4999;
}

/**
 * Delay before reconnect attempt number `attempt` (0-based): doubles from `initialMs` up to
 * `maxMs`, then loses up to half of itself to jitter so that many tabs do not retry in step.
 */
export function backoffDelay(
  attempt: number,
  random: () => number,
  initialMs = 250,
  maxMs = 5000,
): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** attempt);
  return Math.round(ceiling * (1 - 0.5 * random()));
}

/** The run's socket URL on the page's own host, e.g. wss://example.org/ws/runs/<id>/. */
export function runSocketUrl(wsPath: string, location: { protocol: string; host: string }): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${wsPath}`;
}

const browserFactory: SocketFactory = (url) => new WebSocket(url);

export class RunSocket<F = PingFrame> {
  private readonly url: string;
  private readonly handlers: RunSocketHandlers<F>;
  private readonly factory: SocketFactory;
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly random: () => number;

  private socket: SocketLike | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private failures = 0;
  private stopped = false;
  private runState: string | null = null;
  /** Highest seq the server had recorded when it reported the run over; null while it runs. */
  private finalSeq: number | null = null;
  private seq: number;
  private currentStatus: WsStatus = 'idle';

  constructor(options: RunSocketOptions<F>) {
    this.url = options.url;
    this.handlers = options.handlers ?? {};
    this.factory = options.factory ?? browserFactory;
    this.seq = options.after ?? 0;
    this.initialDelayMs = options.initialDelayMs ?? 250;
    this.maxDelayMs = options.maxDelayMs ?? 5000;
    this.random = options.random ?? Math.random;
  }

  /** Highest frame seq received so far; the next connect resumes after it. */
  get lastSeq(): number {
    return this.seq;
  }

  get status(): WsStatus {
    return this.currentStatus;
  }

  connect(): void {
    if (this.stopped || this.socket !== null || this.timer !== null) return;
    this.open();
  }

  /**
   * Sends one message as JSON; false (and nothing sent) when the socket is not open, so the
   * caller can say so instead of losing it.
   */
  send(message: unknown): boolean {
    if (this.currentStatus !== 'open' || this.socket?.send === undefined) return false;
    try {
      this.socket.send(JSON.stringify(message));
    } catch {
      return false;
    }
    return true;
  }

  /** Closes the socket for good; no reconnect follows. */
  close(): void {
    this.stopped = true;
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const socket = this.socket;
    this.socket = null;
    socket?.close(NORMAL_CLOSURE, 'client closed');
    this.setStatus('closed');
  }

  private open(): void {
    const url = new URL(this.url);
    url.searchParams.set('after', String(this.seq));
    this.setStatus(this.failures === 0 ? 'connecting' : 'reconnecting');

    const socket = this.factory(url.toString());
    this.socket = socket;
    // Events from a socket that has since been replaced or closed are ignored.
    socket.onopen = () => {
      if (this.socket === socket) this.setStatus('open');
    };
    socket.onmessage = (event) => {
      if (this.socket === socket) this.receive(event.data);
    };
    socket.onclose = (event) => {
      if (this.socket === socket) this.closed(event.code);
    };
  }

  private receive(data: unknown): void {
    let message: ServerMessage<F>;
    try {
      message = JSON.parse(String(data)) as ServerMessage<F>;
    } catch {
      return;
    }
    switch (message.type) {
      case 'run.state':
        // A state message means the server accepted us, so the next drop starts the backoff over.
        this.failures = 0;
        this.runState = message.run.state;
        this.finalSeq = TERMINAL_STATES.has(message.run.state) ? message.last_seq : null;
        this.handlers.onState?.(message.run, message.last_seq, message.role ?? null);
        break;
      case 'run.events':
        this.handlers.onEvents?.(message.events);
        break;
      case 'run.queue':
        this.handlers.onQueue?.(message.queue);
        break;
      case 'run.frame':
        if (message.seq > this.seq) this.seq = message.seq;
        this.handlers.onFrame?.(message.frame, message.seq);
        break;
      case 'run.ack':
        this.handlers.onAck?.(message.id, message.action, message.t);
        break;
      case 'run.error':
        this.handlers.onControlError?.(message.id, message.message, message.code);
        break;
      case 'error':
        if (message.id !== undefined && message.id !== null) {
          this.handlers.onControlError?.(message.id, message.message, message.code);
        } else {
          this.handlers.onError?.(message.message, message.code);
        }
        break;
    }
    // The server keeps the socket open after the run ends; once every frame is in, nothing
    // more can come, so the client hangs up itself.
    if (this.finalSeq !== null && this.seq >= this.finalSeq) this.close();
  }

  private closed(code: number): void {
    this.socket = null;
    const runOver = this.runState !== null && TERMINAL_STATES.has(this.runState);
    if (this.stopped || isFinalCloseCode(code) || (code === NORMAL_CLOSURE && runOver)) {
      this.stopped = true;
      this.setStatus('closed');
      return;
    }
    const delay = backoffDelay(this.failures, this.random, this.initialDelayMs, this.maxDelayMs);
    this.failures += 1;
    this.setStatus('reconnecting');
    this.timer = setTimeout(() => {
      this.timer = null;
      this.open();
    }, delay);
  }

  private setStatus(status: WsStatus): void {
    if (status === this.currentStatus) return;
    this.currentStatus = status;
    this.handlers.onStatus?.(status);
  }
}
