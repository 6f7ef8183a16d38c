/**
 * Built-in functions BigQuery has that ZetaSQL 2023.08 does not list (BigQuery function reference).
 * Only functions that read nothing but their arguments belong here: table-valued built-ins that read
 * tables or models (APPENDS, CHANGES, VECTOR_SEARCH, ML.*, OBJ.*, EXTERNAL_QUERY) stay out, so a
 * call of them counts as a routine call.
 */
export const bigQueryAdditions: readonly string[] = [
  'contains_substr',
  'edit_distance',
  'cosine_distance',
  'euclidean_distance',
  'json_keys',
  'json_contains',
  'regexp_substr',
  'search',
  'collate',
  'justify_days',
  'justify_hours',
  'justify_interval',
  'make_interval',
  'generate_range_array',
  'date_bucket',
  'datetime_bucket',
  'timestamp_bucket',
  'unnest',
  'current_user',
  // Syntax the parser library may keep as a call by name.
  'array',
  'struct',
];
