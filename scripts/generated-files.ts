import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Brings generated files under `root` up to date: removes `stale` (relative paths no longer generated), writes
 * every file whose content differs. Returns what changed (removals marked), for the generator's message.
 */
export function writeGeneratedFiles(
  root: string,
  files: ReadonlyMap<string, string>,
  stale: readonly string[],
): string[] {
  const changed: string[] = [];
  for (const file of stale) {
    fs.rmSync(path.join(root, file));
    changed.push(`${file} (removed)`);
  }
  for (const [file, content] of files) {
    const absolute = path.join(root, file);
    if (fs.existsSync(absolute) && fs.readFileSync(absolute, 'utf8') === content) continue;
    fs.mkdirSync(path.dirname(absolute), { recursive: true });
    fs.writeFileSync(absolute, content);
    changed.push(file);
  }
  return changed;
}
