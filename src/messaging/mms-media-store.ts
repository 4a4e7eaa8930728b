/**
 * MMS parts on disk under `<data>/media/<accountId>/<messageId>/<filename>`. A message's parts are written
 * to a temporary folder and renamed into place whole, so a refused or failed message leaves nothing.
 */
import { closeSync, createReadStream, fstatSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync, type ReadStream } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { MessageComponent } from '../store/store.js';
import { baseType, type MediaPart } from './text-limits.js';

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg', 'image/png': 'png', 'image/gif': 'gif', 'image/bmp': 'bmp', 'image/webp': 'webp',
  'video/mp4': 'mp4', 'video/3gpp': '3gp', 'video/quicktime': 'mov',
  'audio/mpeg': 'mp3', 'audio/mp4': 'm4a', 'audio/amr': 'amr', 'audio/wav': 'wav', 'audio/ogg': 'ogg', 'audio/3gpp': '3gp',
  'text/plain': 'txt', 'text/vcard': 'vcf', 'text/x-vcard': 'vcf', 'text/calendar': 'ics',
  'application/pdf': 'pdf', 'application/smil': 'smil',
};

const SAFE_ID = /^[A-Za-z0-9._-]{1,128}$/;

export class MmsMediaStore {
  constructor(readonly root: string) {
    mkdirSync(root, { recursive: true });
  }

  /** Writes the parts of one message; returns its components list (the names to fetch them by). */
  save(accountId: string, messageId: string, parts: readonly MediaPart[]): MessageComponent[] {
    if (parts.length === 0) return [];
    const dir = this.#dir(accountId, messageId);
    const tmp = `${dir}.tmp-${randomBytes(4).toString('hex')}`;
    mkdirSync(tmp, { recursive: true });
    try {
      const used = new Set<string>();
      const components = parts.map((p, i) => {
        const filename = uniqueName(safeName(p, i), used);
        writeFileSync(join(tmp, filename), p.data);
        return { filename, contentType: baseType(p.contentType), size: p.data.length };
      });
      mkdirSync(join(this.root, accountId), { recursive: true });
      renameSync(tmp, dir);
      return components;
    } catch (err) {
      rmSync(tmp, { recursive: true, force: true });
      throw err;
    }
  }

  /** Removes a message's parts (when the message could not be stored after all). */
  discard(accountId: string, messageId: string): void {
    rmSync(this.#dir(accountId, messageId), { recursive: true, force: true });
  }

  /** Opens one stored part, or undefined when there is none by that name. */
  open(accountId: string, messageId: string, filename: string): { stream: ReadStream; size: number } | undefined {
    if (!SAFE_ID.test(filename) || filename.startsWith('.')) return undefined;
    const path = join(this.#dir(accountId, messageId), filename);
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch {
      return undefined;
    }
    // Opened here, not lazily by the stream, so what was found is what is sent.
    const st = fstatSync(fd);
    if (!st.isFile()) {
      closeSync(fd);
      return undefined;
    }
    return { stream: createReadStream('', { fd }), size: st.size };
  }

  #dir(accountId: string, messageId: string): string {
    // Ids come from our own store, but a path is never built from anything that could climb out.
    if (!SAFE_ID.test(accountId) || !SAFE_ID.test(messageId) || messageId.startsWith('.')) throw new Error(`unsafe media path ${accountId}/${messageId}`);
    return join(this.root, accountId, messageId);
  }
}

function safeName(p: MediaPart, i: number): string {
  const ext = EXTENSIONS[baseType(p.contentType)] ?? 'bin';
  const given = (p.filename ?? '').split(/[\\/]/).pop()!.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '').slice(0, 100);
  if (given && /[A-Za-z0-9]/.test(given)) return given;
  return `part-${i + 1}.${ext}`;
}

function uniqueName(name: string, used: Set<string>): string {
  let n = name;
  for (let k = 2; used.has(n); k++) {
    const dot = name.lastIndexOf('.');
    n = dot > 0 ? `${name.slice(0, dot)}-${k}${name.slice(dot)}` : `${name}-${k}`;
  }
  used.add(n);
  return n;
}
