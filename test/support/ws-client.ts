import WebSocket from 'ws';

/** A real WebSocket client that queues frames so tests can await them in order. */
export class TestSocket {
  readonly frames: Record<string, unknown>[] = [];
  #waiters: (() => void)[] = [];
  closed?: { code: number; reason: string };

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => {
      this.frames.push(JSON.parse(d.toString()) as Record<string, unknown>);
      this.#wake();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.#wake();
    });
  }

  /** `host`: a node listening on another loopback address (the cluster tests). */
  static open(port: number, options: WebSocket.ClientOptions = {}, host = '127.0.0.1'): Promise<TestSocket> {
    const ws = new WebSocket(`ws://${host}:${port}/`, options);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new TestSocket(ws)));
      ws.once('error', reject);
    });
  }

  #wake() {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Waits until `pred` holds over the frames received so far. */
  async until(pred: (frames: Record<string, unknown>[]) => boolean, timeoutMs = 5000, what = 'frames'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred(this.frames)) {
      if (this.closed && !pred(this.frames)) throw new Error(`socket closed (${this.closed.code}) while waiting for ${what}; got ${JSON.stringify(this.frames)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.frames)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Sends a request and returns the next frame of type `responseType`. */
  async request(frame: Record<string, unknown>, responseType: string): Promise<Record<string, unknown>> {
    const seen = this.frames.length;
    this.send(frame);
    await this.until((f) => f.slice(seen).some((x) => x.type === responseType), 5000, responseType);
    return this.frames.slice(seen).find((x) => x.type === responseType)!;
  }

  events(type: 'userevent' | 'accountevent'): Record<string, unknown>[] {
    return this.frames.filter((f) => f.type === type);
  }

  close(): void {
    this.ws.close();
  }
}
