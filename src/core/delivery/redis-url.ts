// The Redis dedupe store's URL: read through `[dedupe] redis_url_env`, its password registered as a secret.
import { ERR_CONFIG_SECRET_MISSING, ERR_DEDUPE_STORE_OPEN } from '../errors.js';
import { registerCredentialName, registerSecret } from '../protocol/redact.js';

const KEY = 'dedupe.redis_url_env';

/**
 * The URL in the variable `variable` names. Missing or empty: AGENT_ERR_CONFIG_SECRET_MISSING (names the
 * variable, never a value); not a redis:// or rediss:// URL: AGENT_ERR_DEDUPE_STORE_OPEN (without the value).
 */
export function redisUrlFromEnv(variable: string | undefined, env: NodeJS.ProcessEnv): string {
  if (variable === undefined || variable === '')
    throw new ERR_CONFIG_SECRET_MISSING({ key: KEY, needed_by: '[dedupe] store = "redis"' });
  const value = env[variable];
  if (value === undefined || value === '')
    throw new ERR_CONFIG_SECRET_MISSING({ key: KEY, variable, ...(value === '' ? { empty: true } : {}) });
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    // reported below without echoing the value (it may hold a password)
  }
  if (url === undefined || (url.protocol !== 'redis:' && url.protocol !== 'rediss:') || url.hostname === '')
    throw new ERR_DEDUPE_STORE_OPEN({
      store: 'redis',
      location: `$${variable}`,
      reason: 'not a redis://[[user]:password@]host[:port][/db] (or rediss://) URL',
    });
  // Both forms: ioredis sends the decoded one, an error or log line could echo either.
  registerSecret(url.password);
  registerSecret(decoded(url.password));
  registerCredentialName(decoded(url.username));
  return value;
}

function decoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part; // a stray `%`: used as written
  }
}

/** `url` without user name and password: what logs and errors may show. */
export function redisLocation(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return '(invalid URL)';
  }
}
