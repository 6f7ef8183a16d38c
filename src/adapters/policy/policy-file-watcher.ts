/**
 * Watches the policy file and hands new text to the policy holder. Editors replace files in
 * several ways (rename, truncate then write), so changes are debounced and the directory is watched.
 */
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../../domain/ports.js';

export function watchPolicyFile(options: { file: string; logger: Logger; onText: (text: string) => void; debounceMs?: number }): { close(): void } {
  let timer: NodeJS.Timeout | undefined;
  let lastText: string | undefined;
  const read = () => {
    try {
      const text = readFileSync(options.file, 'utf8');
      if (text === lastText) return;
      lastText = text;
      options.onText(text);
    } catch (error) {
      options.logger.warn('policy file unreadable; the current policy stays in force', { file: options.file, error: String(error) });
    }
  };
  try {
    lastText = readFileSync(options.file, 'utf8');
  } catch {
    lastText = undefined;
  }
  let watcher: FSWatcher | undefined;
  try {
    // Any change in the directory is a reason to look: Kubernetes ConfigMaps and similar deployers
    // swap a `..data` symlink next to the file, so an event may never name the file itself. Reading
    // is debounced and unchanged text is ignored, so looking too often costs nothing.
    watcher = watch(dirname(options.file), () => {
      clearTimeout(timer);
      timer = setTimeout(read, options.debounceMs ?? 150);
    });
  } catch (error) {
    options.logger.warn('cannot watch the policy file; send SIGHUP to reload it', { file: options.file, error: String(error) });
  }
  return {
    close() {
      clearTimeout(timer);
      watcher?.close();
    },
  };
}
