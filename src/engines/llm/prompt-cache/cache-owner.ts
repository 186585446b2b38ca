/** Whose tokens a cached state holds: a tenant's, and the session they came from when the request named one. */
export interface CacheOwner {
  tenant: string;
  sessionId?: string;
}

/** What `forget` drops: a tenant's states, or one session's. */
export type CacheScope = CacheOwner;

export function sameSession(a: CacheOwner | undefined, b: CacheOwner): boolean {
  return a !== undefined && a.tenant === b.tenant && a.sessionId === b.sessionId;
}

export function inScope(owner: CacheOwner | undefined, scope: CacheScope): boolean {
  if (owner === undefined || owner.tenant !== scope.tenant) return false;
  return scope.sessionId === undefined || owner.sessionId === scope.sessionId;
}

/** How many leading tokens two token lists share. */
export function sharedPrefix(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}
