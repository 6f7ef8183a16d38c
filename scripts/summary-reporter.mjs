// A node:test reporter that writes one closing line, "N passed, N failed, N skipped", counting tests
// (not the suites around them); a cancelled test counts as failed. scripts/run-tests.mjs prints it last.
export default async function* summaryReporter(source) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const data = event.data;
    if (data.details?.type === 'suite') {
      // A suite that fails outside its tests (a before hook, a file that does not load) is a failure too.
      if (event.type === 'test:fail' && data.details?.error?.failureType !== 'subtestsFailed') failed += 1;
      continue;
    }
    if (data.skip !== undefined || data.todo !== undefined) skipped += 1;
    else if (event.type === 'test:pass') passed += 1;
    else failed += 1;
  }
  yield `${passed} passed, ${failed} failed, ${skipped} skipped\n`;
}
