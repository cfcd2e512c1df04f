// Module resolve hook (node:module register): a plugin module imported under a version query
// (`?agent2389-v=…`, see fresh-import.ts) passes that query on to the modules it imports by relative
// path, so a changed plugin is re-imported as a whole, not only its entry file. Packages it imports by
// name stay shared.
import type { ResolveHook } from 'node:module';

const PARAM = 'agent2389-v';

export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
  const resolved = await nextResolve(specifier, context);
  const parent = context.parentURL;
  if (!parent?.startsWith('file:') || !resolved.url.startsWith('file:')) return resolved;
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return resolved;
  const version = new URL(parent).searchParams.get(PARAM);
  if (version === null) return resolved;
  const url = new URL(resolved.url);
  if (url.searchParams.has(PARAM)) return resolved;
  url.searchParams.set(PARAM, version);
  return { ...resolved, url: url.href };
};
