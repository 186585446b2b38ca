// bench/telemetry's figures and how they are printed: each ON beside OFF with their ratio.

export type Side = 'ON' | 'OFF';
export const SIDES: Side[] = ['ON', 'OFF'];

export interface Row {
  name: string;
  on: number;
  off: number;
  /** Latencies: smaller is better, so the ratio is off/on. */
  lowerIsBetter?: boolean;
  digits?: number;
  /** The figure per round (a headline figure, compared against the target). */
  rounds?: Record<Side, number[]>;
}

/** The middle value, or the mean of the two middle ones (nearest rank would take the lower of two). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  return Number.isInteger(mid) ? (sorted[mid - 1]! + sorted[mid]!) / 2 : sorted[Math.floor(mid)]!;
}

export const list = (values: number[], digits: number) => values.map((v) => v.toFixed(digits)).join(' ');

export function printReport(rows: Row[], notes: string[], target: number): void {
  const fmt = (n: number, digits: number) => n.toFixed(digits).padStart(10);
  console.log(`\n${'figure'.padEnd(52)}         ON        OFF    ratio`);
  for (const row of rows) {
    const ratio = row.lowerIsBetter ? row.off / row.on : row.on / row.off;
    const mark = row.rounds ? (ratio >= target ? '  ok' : `  below ${target}`) : '';
    console.log(
      `${row.name.padEnd(52)} ${fmt(row.on, row.digits ?? 1)} ${fmt(row.off, row.digits ?? 1)} ` +
        `${ratio.toFixed(3).padStart(8)}${mark}`,
    );
    // The same comparison within each round (ON and OFF ran back to back): how far noise moves the ratio.
    if (row.rounds) {
      const pairs = row.rounds.ON.map((on, i) =>
        row.lowerIsBetter ? row.rounds!.OFF[i]! / on : on / row.rounds!.OFF[i]!,
      );
      console.log(
        `    per round ON/OFF: median ${median(pairs).toFixed(3)}, range ${Math.min(...pairs).toFixed(3)}–` +
          `${Math.max(...pairs).toFixed(3)} (${list(pairs, 3)})`,
      );
    }
  }
  console.log(
    `\nratio = ON/OFF for rates, OFF/ON for latencies (so > 1 favours ON either way); target ≥ ${target} on the ` +
      `medians of rounds`,
  );
  for (const note of notes) console.log(`note: ${note}`);
}
