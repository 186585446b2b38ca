import { isStage } from '../../config/stages.js';
import { stageSamples } from './stage-samples.js';

const span = (name: string, attributes: Record<string, unknown> = {}, durationMs = 10, failed = false) => ({
  name,
  durationMs,
  failed,
  attributes,
});

describe('stageSamples', () => {
  it('names memory, fusion and routing stages after their spans', () => {
    expect(stageSamples(span('memory.semantic', { 'memory.operation': 'mentioned' }))).toEqual([
      { stage: 'memory.semantic', value: 10, failed: false },
    ]);
    expect(stageSamples(span('fusion.project', { 'mneme.modality': 'audio' }))[0]!.stage).toBe(
      'fusion.project.audio',
    );
  });

  it('tells one image from a batch', () => {
    expect(stageSamples(span('encode.image', { 'mneme.batch.size': 1 }))[0]!.stage).toBe('encode.image');
    expect(stageSamples(span('encode.image', { 'mneme.batch.size': 4 }))[0]!.stage).toBe('encode.images');
  });

  it('measures audio stages per second of audio; a clip that never decoded is an error only', () => {
    expect(stageSamples(span('encode.audio', { 'mneme.audio.seconds': 4 }, 200))).toEqual([
      { stage: 'encode.audio', value: 50, failed: false },
    ]);
    expect(stageSamples(span('encode.audio', {}, 3, true))[0]).toMatchObject({ value: NaN, failed: true });
    expect(stageSamples(span('encode.audio', {}, 3, false))).toEqual([]);
  });

  it('gives an ask its path stage and its time to first token', () => {
    expect(stageSamples(span('ask', { 'mneme.route.path': 'fast', 'mneme.llm.ttft_ms': 42 }, 300))).toEqual([
      { stage: 'ask.fast', value: 300, failed: false },
      { stage: 'ttft.fast', value: 42, failed: false },
    ]);
  });

  it('maps gen_ai generation spans to llm.generate and ignores what is not a stage', () => {
    expect(stageSamples(span('chat tiny', { 'gen_ai.operation.name': 'chat' }))[0]!.stage).toBe(
      'llm.generate',
    );
    expect(stageSamples(span('POST /graphql'))).toEqual([]);
  });

  it('marks the stages of a cancelled span cancelled, with no latency and no failure', () => {
    const ask = { ...span('ask', { 'mneme.route.path': 'fast', 'mneme.llm.ttft_ms': 5 }), cancelled: true };
    expect(stageSamples(ask)).toEqual([
      { stage: 'ask.fast', value: NaN, failed: false, cancelled: true },
      { stage: 'ttft.fast', value: NaN, failed: false, cancelled: true },
    ]);
    const undecoded = { ...span('transcribe.audio'), cancelled: true };
    expect(stageSamples(undecoded)).toEqual([
      { stage: 'transcribe.audio', value: NaN, failed: false, cancelled: true },
    ]);
  });

  it('samples an ask that failed before it was routed as ask.unrouted', () => {
    expect(stageSamples(span('ask', {}, 20, true))).toEqual([
      { stage: 'ask.unrouted', value: 20, failed: true },
    ]);
  });

  it('takes no sample for a name outside the stage vocabulary', () => {
    expect(stageSamples(span('fusion.project', { 'mneme.modality': 'smell' }))).toEqual([]);
    expect(stageSamples(span('fusion.project'))).toEqual([]);
    expect(stageSamples(span('ask', { 'mneme.route.path': 'turbo', 'mneme.llm.ttft_ms': 3 }))).toEqual([]);
    expect(stageSamples(span('route.admit'))).toEqual([]);
  });

  it('gives only stage names of the vocabulary', () => {
    const spans = [
      span('encode.image', { 'mneme.batch.size': 3 }),
      span('perceive.audio', { 'mneme.audio.seconds': 2 }),
      span('fusion.project', { 'mneme.modality': 'image' }),
      span('consolidation.summarize'),
      span('ask', { 'mneme.route.path': 'deep', 'mneme.llm.ttft_ms': 9 }),
    ];
    const stages = spans.flatMap((s) => stageSamples(s).map((sample) => sample.stage));
    expect(stages).toHaveLength(6);
    expect(stages.every(isStage)).toBe(true);
  });
});
