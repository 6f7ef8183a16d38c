/** Masking that follows the data: plan rules from lineage, apply them and the content detectors. */
export { planMasking, type MaskPlan, type MaskPlanInput, type PlannedColumn, type PlannedFieldRule, type MaskReason } from './plan.js';
export {
  applyMasking,
  resultHash,
  type MaskingOptions,
  type MaskingReport,
  type MaskedColumnReport,
  type DetectorHitReport,
  type MaskedResult,
  type ResultColumnDescription,
} from './apply.js';
export { applyRule, REDACTED, maskRuleStrictness, stricterRule, strictestRule, createKeyedHasher, type KeyedHasher } from './rules.js';
export { matchesTableGlob, type TableMatcher } from './table-glob.js';
export { createTextScanner, detectors, type TextScanner, type TextMatch } from './detectors/index.js';
