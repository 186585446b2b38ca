import type { GenerationScores } from './llm-engine.js';

// What the node-llama-cpp adapter takes and gives, in Mneme's terms.

export interface LlamaLoadOptions {
  modelPath: string;
  threads: number;
  contextSize: number;
  sequences: number;
}

export interface LlamaGenerateOptions {
  maxTokens: number;
  temperature?: number;
  topP?: number;
  seed?: number;
  stop?: string[];
  /** Output constrained to JSON of this schema (node-llama-cpp's GBNF subset of JSON Schema). */
  jsonSchema?: Record<string, unknown>;
  signal: AbortSignal;
  onText: (text: string) => void;
  /** Called when generated tokens are released to the caller (the first call marks time to first token). */
  onTokens: () => void;
}

export interface LlamaGenerateOutcome {
  text: string;
  stoppedBy: 'eos' | 'stop' | 'maxTokens' | 'abort';
  /** Every sampled token, including ones held back while checking for stop sequences. */
  completionTokens: number;
}

export interface LlamaScoredOptions extends Omit<LlamaGenerateOptions, 'jsonSchema' | 'onText'> {
  /** Alternatives reported per token. */
  top: number;
  onText: (text: string, logprobs: GenerationScores['tokens']) => void;
}
