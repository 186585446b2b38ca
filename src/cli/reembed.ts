import { setTimeout as sleep } from 'node:timers/promises';
import { Presets, SingleBar } from 'cli-progress';
import type { ReembedProgress } from '../modules/memory/reembed/reembed-job.service.js';
import { callServer, reportFailure, type ServerTarget } from './server-call.js';

const ROUTE = '/v1/memory/reembed';

/**
 * `mneme reembed`: starts (or joins) the server's re-embed after a text-embedder change and follows it with a
 * progress bar until memory is in the new space; answers the exit code. Stopping this command does not stop the
 * re-embed, and running it again after a server restart continues where the last run got to.
 */
export async function reembedMemory(target: ServerTarget & { pollMs?: number }): Promise<number> {
  const started = await callServer(target, ROUTE, { method: 'POST' });
  if (!started.ok) return reportFailure('reembed', started);
  let progress = (await started.json()) as ReembedProgress;
  if (progress.state === 'current' && progress.job !== 'running') {
    console.log(
      `Memory is already in the space of ${progress.model}: ${progress.total} episodes, nothing to do.`,
    );
    return 0;
  }
  console.log(`Re-embedding ${progress.remaining} of ${progress.total} episodes with ${progress.model}`);
  const bar = new SingleBar(
    {
      format: ' {bar} {percentage}% | {value}/{total} episodes | {rate}/s | ETA {eta_formatted}',
      noTTYOutput: true, // a line every few seconds in logs and CI
      notTTYSchedule: 5000,
    },
    Presets.shades_classic,
  );
  bar.start(progress.total, progress.total - progress.remaining, { rate: 0 });
  while (progress.job === 'running') {
    await sleep(target.pollMs ?? 500);
    const response = await callServer(target, ROUTE, { method: 'GET' });
    if (!response.ok) {
      bar.stop();
      return reportFailure('reembed', response);
    }
    progress = (await response.json()) as ReembedProgress;
    bar.setTotal(progress.total);
    bar.update(progress.total - progress.remaining, { rate: progress.perSecond });
  }
  bar.stop();
  return finished(progress);
}

function finished(progress: ReembedProgress): number {
  if (progress.state === 'current') {
    console.log(
      `Re-embedded ${progress.reembedded} episodes (${progress.perSecond}/s); memory is in the space of ` +
        `${progress.model} (${progress.dims} dims) and recall by meaning covers all of it again.`,
    );
    return 0;
  }
  const why = progress.error ?? 'the server stopped it (shutting down?)';
  console.error(
    `reembed stopped with ${progress.remaining} episodes to go: ${why}. Run it again to continue.`,
  );
  return 1;
}
