/** `project.dataset.table` (as the analyser reports it) back into a catalog reference. */
import type { TableRef } from '../domain/ports.js';

export const tableRefOf = (qualified: string): TableRef | undefined => {
  const parts = qualified.split('.');
  if (parts.length !== 3 || parts.some((p) => !p)) return undefined;
  return { project: parts[0] as string, dataset: parts[1] as string, table: parts[2] as string };
};
