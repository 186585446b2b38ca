#!/usr/bin/env node
import { Command, Option } from 'commander';
import { evalSuite, type EvalFlags } from './eval.js';
import { listModels } from './list-models.js';
import { exportMemory, importMemory } from './memory-archive.js';
import { pullModels } from './pull-models.js';
import { reembedMemory } from './reembed.js';

// `mneme`: the server and its models from one command. Settings come from the same MNEME_* variables as the
// server's; flags override the ones a command uses.

const program = new Command('mneme')
  .description('Mneme: a self-hosted multimodal agent server with tiered memory')
  .showHelpAfterError();

program
  .command('serve')
  .description('start the server (configured by MNEME_* variables; see docs/configuration.md)')
  .action(async () => {
    await import('../main.js');
  });

program
  .command('pull')
  .description('download a model, or a preset set of models, from the hub into the models dir')
  .argument(
    '<source...>',
    'hf:owner/repo (transformers.js), hf:owner/repo:Q4_K_M or hf:owner/repo/file.gguf, or a preset: recommended',
  )
  .addOption(
    new Option('--kind <kind>', 'what the model is, when its config does not say').choices([
      'llm',
      'vision',
      'speech-to-text',
      'audio-embedding',
      'text-embedding',
    ]),
  )
  .addOption(
    new Option('--dtype <dtype>', 'ONNX weights to fetch').choices([
      'fp32',
      'fp16',
      'q8',
      'int8',
      'uint8',
      'q4',
    ]),
  )
  .option('--models-dir <dir>', 'where models go (MNEME_MODELS_DIR)')
  .option('--endpoint <url>', 'the hub to pull from (MNEME_HF_ENDPOINT)')
  .action(
    async (
      sources: string[],
      options: { kind?: string; dtype?: string; modelsDir?: string; endpoint?: string },
    ) => {
      process.exitCode = await pullModels(sources, options);
    },
  );

program
  .command('models')
  .description('list the models a start would serve from the models dir, and where each came from')
  .option('--models-dir <dir>', 'the models dir (MNEME_MODELS_DIR)')
  .action((options: { modelsDir?: string }) => {
    process.exitCode = listModels(options);
  });

program
  .command('export')
  .description('write your memory (episodes, facts with history, audit trail) as a JSON Lines archive')
  .requiredOption('--out <file>', 'where the archive goes')
  .option('--url <url>', 'the running server', 'http://127.0.0.1:4000')
  .option('--key <key>', 'your API key (MNEME_API_KEY)')
  .option('--no-vectors', 'leave the vectors out (smaller; an import re-embeds the text)')
  .action(async (options: { out: string; url: string; key?: string; vectors: boolean }) => {
    process.exitCode = await exportMemory(options);
  });

program
  .command('import')
  .description('restore an archive written by mneme export into your memory (empty, unless --merge)')
  .argument('<file>', 'the archive')
  .option('--url <url>', 'the running server', 'http://127.0.0.1:4000')
  .option('--key <key>', 'your API key (MNEME_API_KEY)')
  .option('--merge', 'add to the memory you have: held episodes are skipped, current facts learned')
  .action(async (file: string, options: { url: string; key?: string; merge?: boolean }) => {
    process.exitCode = await importMemory({ ...options, file });
  });

program
  .command('reembed')
  .description('re-embed every episode after the text-embedding model changed (resumable; model admins only)')
  .option('--url <url>', 'the running server', 'http://127.0.0.1:4000')
  .option('--key <key>', 'an API key of a model admin (MNEME_API_KEY)')
  .action(async (options: { url: string; key?: string }) => {
    process.exitCode = await reembedMemory(options);
  });

program
  .command('eval')
  .description('run a benchmark suite on the official data files through a running server (docs/eval.md)')
  .argument('<suite>', 'gsm8k, svamp, strategyqa, commonsenseqa or openbookqa')
  .requiredOption('--data <file>', 'the suite’s data file, in its official format')
  .option('--out <dir>', 'where results and reports go (a rerun skips what is done)', 'eval-results')
  .option('--url <url>', 'the running server', 'http://127.0.0.1:4000')
  .option('--key <key>', 'an API key (MNEME_API_KEY)')
  .option('--limit <n>', 'the first n items only')
  .option('--concurrency <n>', 'questions asked at once', '2')
  .addOption(
    new Option('--path <path>', 'the compute path to ask for')
      .choices(['auto', 'fast', 'medium', 'deep'])
      .default('auto'),
  )
  .option('--samples <n>', 'answers sampled and voted on the deep path (1 to 8)')
  .option('--max-tokens <n>', 'the longest answer (the server’s default otherwise)')
  .action(async (suite: string, flags: EvalFlags) => {
    process.exitCode = await evalSuite(suite, flags);
  });

await program.parseAsync();
