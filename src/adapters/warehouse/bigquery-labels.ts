/**
 * Job labels under BigQuery's rules: keys and values lowercase `[a-z0-9_-]`, at most 63 characters,
 * keys starting with a letter, at most 64 labels. BigQuery rejects a job with a bad label, so labels
 * are made valid rather than passed through.
 */
const MAX_LENGTH = 63;
const MAX_LABELS = 64;

const clean = (text: string): string =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '_')
    .slice(0, MAX_LENGTH);

export const sanitiseLabelKey = (key: string): string | undefined => {
  const cleaned = clean(key);
  if (cleaned.length === 0) return undefined;
  return /^[a-z]/.test(cleaned) ? cleaned : `l_${cleaned}`.slice(0, MAX_LENGTH);
};

export const sanitiseLabelValue = (value: string): string => clean(value);

export const sanitiseLabels = (labels: Readonly<Record<string, string>> | undefined): Record<string, string> | undefined => {
  if (!labels) return undefined;
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels)) {
    const cleanKey = sanitiseLabelKey(key);
    if (cleanKey === undefined || cleanKey in result) continue;
    if (Object.keys(result).length >= MAX_LABELS) break;
    result[cleanKey] = sanitiseLabelValue(String(value));
  }
  return Object.keys(result).length > 0 ? result : undefined;
};
