import { z } from 'zod';
import { llm } from './env/llm.env.js';
import { semanticMemory, workingAndEpisodicMemory } from './env/memory.env.js';
import { perception } from './env/perception.env.js';
import { fusion, routing, telemetry } from './env/pipeline.env.js';
import { limits, server } from './env/server.env.js';

// The environment schema, assembled from one file per area under env/ (each variable documented where it is
// declared; docs/configuration.md is generated from them).

export { variableDocs, type VariableDoc } from './env/variable-kit.js';

/** An area's variables, and the heading docs/configuration.md gives them. */
export interface EnvSection {
  title: string;
  variables: Readonly<Record<string, z.ZodType>>;
}

/** Every variable the server reads, by area: the sections of docs/configuration.md. */
export const ENV_SECTIONS: readonly EnvSection[] = [
  { title: 'Server', variables: server },
  { title: 'Limits', variables: limits },
  { title: 'Language model', variables: llm },
  { title: 'Perception', variables: perception },
  { title: 'Working and episodic memory', variables: workingAndEpisodicMemory },
  { title: 'Semantic memory and consolidation', variables: semanticMemory },
  { title: 'Fusion', variables: fusion },
  { title: 'Routing', variables: routing },
  { title: 'Telemetry and SLOs', variables: telemetry },
];

/** Every variable the server reads, validated once at boot. */
export const envSchema = z.object({
  ...server,
  ...limits,
  ...llm,
  ...perception,
  ...workingAndEpisodicMemory,
  ...semanticMemory,
  ...fusion,
  ...routing,
  ...telemetry,
});

export type Env = z.infer<typeof envSchema>;
