// RFC 3339 UTC timestamps with a `Z` suffix [RULE-003].

export function nowTimestamp(): string {
  return new Date().toISOString();
}
