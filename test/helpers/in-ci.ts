// Whether the tests run in CI, where a missing tool or a stale build is a failure rather than a skip.

/** CI=true (or any value but "false"/"0"): .ci/run exports it; GitHub Actions and most runners set it. */
export function inCi(): boolean {
  const ci = process.env['CI'];
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
}
