// `[tools.x.fetch]`: the URL policy of a script tool's host.fetch (the keys of http_request's config).
import { z } from 'zod';

const hostGlobs = z.array(z.string().min(1)).default([]);

/** Strict: a typo in a security policy is an error, not a warning. */
export const fetchPolicySchema = z.strictObject({
  allowed_hosts: hostGlobs,
  denied_hosts: hostGlobs,
  allow_private_networks: z.boolean().default(false),
  allowed_private_cidrs: z.array(z.string().min(1)).default([]),
  max_response_size: z.number().int().positive().default(1_048_576),
  timeout_seconds: z.number().positive().max(300).default(10),
  max_redirects: z.number().int().min(0).max(20).default(5),
  /** Requests one call may make. */
  max_requests: z.number().int().positive().max(100).default(10),
});

export type FetchPolicy = z.infer<typeof fetchPolicySchema>;

/** The policy of a script that declares fetch but has no `[tools.x.fetch]` table: public hosts only. */
export const DEFAULT_FETCH_POLICY: FetchPolicy = fetchPolicySchema.parse({});
