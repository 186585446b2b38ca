import { MultiBar, Presets } from 'cli-progress';
import type { OnnxDtype } from '../config/app-config.js';
import { HubClient } from '../engines/hub/hub-client.js';
import { ModelPuller, type PullResult } from '../engines/hub/model-puller.js';
import { PRESETS, type FolderKind, type PullKind } from '../engines/hub/pull-plan.js';
import { cliConfig } from './cli-config.js';

interface PullFlags {
  kind?: string;
  dtype?: string;
  modelsDir?: string;
  endpoint?: string;
}

/** `mneme pull`: each source (or each model of a preset) in turn, with a progress bar per file. */
export async function pullModels(sources: string[], flags: PullFlags): Promise<number> {
  const config = cliConfig({ MNEME_MODELS_DIR: flags.modelsDir, MNEME_HF_ENDPOINT: flags.endpoint });
  if (typeof config === 'number') return config;
  const { endpoint, token } = config.llm.hub;
  const puller = new ModelPuller(new HubClient(endpoint, token));
  const { dtype } = config.perception;
  const dtypes: Record<FolderKind, OnnxDtype> = {
    vision: dtype.vision,
    'speech-to-text': dtype.asr,
    'audio-embedding': dtype.audioEmbedding,
    'text-embedding': config.memory.textEmbeddingDtype,
  };
  const jobs = sources.flatMap(
    (source) => PRESETS[source] ?? [{ source, kind: flags.kind as PullKind | undefined }],
  );
  const bars = new MultiBar(
    {
      format: ' {bar} {percentage}% | {file} | {value}/{total} bytes',
      hideCursor: true,
      clearOnComplete: false,
    },
    Presets.shades_classic,
  );
  const results: PullResult[] = [];
  const failures: string[] = [];
  try {
    for (const job of jobs) {
      const fileBars = new Map<string, ReturnType<MultiBar['create']>>();
      try {
        const result = await puller.pull(job.source, {
          modelsDir: config.llm.modelsDir,
          dtypeOf: (kind) => (flags.dtype as OnnxDtype | undefined) ?? dtypes[kind],
          ...(job.kind ? { kind: job.kind } : {}),
          onProgress: (file, received, total) => {
            let bar = fileBars.get(file);
            if (!bar) fileBars.set(file, (bar = bars.create(total, received, { file })));
            bar.update(received);
          },
        });
        results.push(result);
      } catch (error) {
        failures.push(`✗ ${job.source}: ${(error as Error).message}`);
      }
    }
  } finally {
    bars.stop();
  }
  for (const r of results) {
    const fetched = r.downloaded === 0 ? 'already there' : `${r.downloaded} of ${r.files} files fetched`;
    console.log(`✓ ${r.kind.padEnd(15)} ${r.source} → ${r.target} (${mb(r.bytes)}, ${fetched})`);
  }
  if (results.length > 0) console.log('Restart the server (mneme serve) to serve them.');
  for (const failure of failures) console.error(failure);
  return failures.length === 0 ? 0 : 1;
}

function mb(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MB`;
}
