/** Shared shutdown state: once draining, new requests are refused with SHUTTING_DOWN and /readyz fails. */
export class ServerLifecycle {
  private drainingSince: number | undefined;

  get draining(): boolean {
    return this.drainingSince !== undefined;
  }

  startDraining(): void {
    this.drainingSince ??= Date.now();
  }
}
