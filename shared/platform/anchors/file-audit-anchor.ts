import { appendFileSync, closeSync, fstatSync, mkdirSync, openSync, readSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AuditAnchor } from '../ports/index.js';

/** How far from the end of the file the latest checkpoint is looked for (one is a few kB). */
const TAIL_BYTES = 256 * 1024;

/**
 * Checkpoints on the laptop: one line each (`<at>\t<document>`), appended to a file under
 * the data directory and never rewritten; the latest is the last line.
 */
export class FileAuditAnchor implements AuditAnchor {
  constructor(private readonly path: string) {}

  async append(at: string, document: string): Promise<void> {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    appendFileSync(this.path, `${at}\t${document.replace(/\n/g, ' ')}\n`, { mode: 0o600 });
  }

  async latest(): Promise<{ at: string; document: string } | undefined> {
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    try {
      const size = fstatSync(fd).size;
      const length = Math.min(size, TAIL_BYTES);
      const tail = Buffer.alloc(length);
      readSync(fd, tail, 0, length, size - length);
      const lines = tail.toString('utf8').split('\n').filter(Boolean);
      const last = lines[lines.length - 1];
      if (!last) return undefined;
      const tab = last.indexOf('\t');
      return tab < 0 ? { at: '', document: last } : { at: last.slice(0, tab), document: last.slice(tab + 1) };
    } finally {
      closeSync(fd);
    }
  }
}
