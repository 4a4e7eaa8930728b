/**
 * Starts a worker thread from a module beside the caller, whether Ringside runs from its TypeScript
 * sources (tests, tsx) or from the built JavaScript. Node 20 applies no loader to a worker's entry, so
 * from sources tsx is registered inside the worker first.
 */
import { Worker } from 'node:worker_threads';

/** The URL of a module beside the caller, `.ts` from sources and `.js` built (for a worker to import). */
export function siblingModule(caller: string, name: string): string {
  return new URL(`./${name}${new URL(caller).pathname.endsWith('.ts') ? '.ts' : '.js'}`, caller).href;
}

/** `caller`: the caller's `import.meta.url`; `entry`: the worker module's name without extension. */
export function startWorker(caller: string, entry: string, workerData: unknown): Worker {
  const here = new URL(caller);
  if (here.pathname.endsWith('.ts')) {
    const url = new URL(`./${entry}.ts`, here).href;
    return new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url)}); });`, { eval: true, workerData });
  }
  return new Worker(new URL(`./${entry}.js`, here), { workerData });
}
