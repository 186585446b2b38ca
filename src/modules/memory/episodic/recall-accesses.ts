/**
 * Recall access counts, batched: recalls note the episodes they returned, and a periodic flush writes one
 * update per tenant — never one table commit per recall.
 */
export class RecallAccesses {
  private readonly pending = new Map<string, Set<string>>();

  get size(): number {
    return this.pending.size;
  }

  note(tenant: string, ids: string[]): void {
    if (ids.length === 0) return;
    const set = this.pending.get(tenant) ?? new Set<string>();
    ids.forEach((id) => set.add(id));
    this.pending.set(tenant, set);
  }

  /** Takes everything noted so far (what arrives meanwhile waits for the next flush). */
  take(): [tenant: string, ids: string[]][] {
    const batch = [...this.pending].map(([tenant, ids]): [string, string[]] => [tenant, [...ids]]);
    this.pending.clear();
    return batch;
  }
}
