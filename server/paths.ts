import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project folder (the nearest one with package.json): views/ and static/ live here, from source or from dist/. */
function findAppRoot(start: string): string {
  let dir = start;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`No package.json above ${start}`);
    dir = parent;
  }
  return dir;
}

export const appRoot = findAppRoot(path.dirname(fileURLToPath(import.meta.url)));
export const viewsDir = path.join(appRoot, 'views');
export const staticDir = path.join(appRoot, 'static');
