/**
 * Makes a SQLite WAL database's commits durable without blocking the event loop. The connection runs
 * with `synchronous=NORMAL` (a commit is a write() into the -wal file, no fsync), and `sync()` then
 * fsyncs that file on libuv's thread pool: a caller told "durable" only after `sync()` resolves has its
 * commit on disk, exactly as with `synchronous=FULL`, but the SIP loop never waits in fsync().
 * fsync() flushes the file's pages whichever descriptor wrote them (POSIX fsync, Linux fsync(2)).
 * Checkpoints under NORMAL still fsync both files themselves (sqlite.org/pragma.html#pragma_synchronous).
 *
 * Requests coalesce (group commit): one fsync at a time; everyone who asked while it ran shares the
 * next one, since their writes may have landed after the running fsync started.
 */
import { open, type FileHandle } from 'node:fs/promises';

export class WalFsync {
  readonly #walFile: string;
  #handle: Promise<FileHandle> | undefined;
  #running: Promise<void> | undefined;
  #next: { promise: Promise<void>; resolve(): void; reject(err: Error): void } | undefined;
  #syncs = 0;

  /** `dbFile`: the database file; its WAL is `${dbFile}-wal` (it exists once the connection is in WAL mode). */
  constructor(dbFile: string) {
    this.#walFile = `${dbFile}-wal`;
  }

  /** fsyncs performed (for stats and the benchmark). */
  get syncs(): number {
    return this.#syncs;
  }

  /** Resolves once every commit made before this call is on disk. */
  sync(): Promise<void> {
    if (!this.#running) return (this.#running = this.#run());
    if (!this.#next) {
      let resolve!: () => void;
      let reject!: (err: Error) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      this.#next = { promise, resolve, reject };
    }
    return this.#next.promise;
  }

  async #run(): Promise<void> {
    try {
      this.#handle ??= open(this.#walFile, 'r+');
      await (await this.#handle).sync();
      this.#syncs++;
    } catch (err) {
      this.#handle = undefined; // open again next time (a failed open must not stick)
      throw err;
    } finally {
      // Whoever waits for the next round gets a fresh fsync that starts now.
      const next = this.#next;
      this.#next = undefined;
      this.#running = undefined;
      if (next) {
        this.#running = this.#run();
        this.#running.then(next.resolve, next.reject);
      }
    }
  }

  /** Waits for a running fsync, then closes the file. */
  async close(): Promise<void> {
    await Promise.allSettled([this.#running, this.#next?.promise]);
    const h = this.#handle;
    this.#handle = undefined;
    if (h) await (await h).close().catch(() => undefined);
  }
}
