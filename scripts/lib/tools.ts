/**
 * Where built tools are cached: outside git, reused across clones and runs
 * (`AGRILOCAL_TOOLS_DIR`, default `${XDG_CACHE_HOME:-~/.cache}/agrilocal-chorus/tools`).
 */
import os from 'node:os';
import path from 'node:path';

export function toolsDir(): string {
  if (process.env.AGRILOCAL_TOOLS_DIR) return path.resolve(process.env.AGRILOCAL_TOOLS_DIR);
  const cache = process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache');
  return path.join(cache, 'agrilocal-chorus', 'tools');
}
