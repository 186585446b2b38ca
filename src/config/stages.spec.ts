import {
  PER_AUDIO_SECOND,
  SHEDDABLE_STAGES,
  STAGES,
  isStage,
  unitOf,
  unknownStagesProblem,
  unsheddableStagesProblem,
} from './stages.js';

describe('stages', () => {
  it('lists each stage once', () => {
    expect(new Set(STAGES).size).toBe(STAGES.length);
  });

  it('tells a stage from any other name', () => {
    expect(isStage('memory.semantic')).toBe(true);
    expect(isStage('memory.semntic')).toBe(false);
    expect(isStage('memory')).toBe(false);
  });

  it('measures the audio stages per second of audio and the rest in ms', () => {
    expect([...PER_AUDIO_SECOND].every(isStage)).toBe(true);
    expect(unitOf('transcribe.audio')).toBe('ms/s');
    expect(unitOf('encode.image')).toBe('ms');
  });

  it('sheds only memory tiers', () => {
    expect(SHEDDABLE_STAGES.every((stage) => stage.startsWith('memory.'))).toBe(true);
  });

  describe('unknownStagesProblem', () => {
    it('is undefined when every name is a stage', () => {
      expect(unknownStagesProblem(['ask.fast', 'ttft.deep'])).toBeUndefined();
      expect(unknownStagesProblem([])).toBeUndefined();
    });

    it('names each unknown name and lists every known stage', () => {
      const problem = unknownStagesProblem(['ask.fast', 'ask.fastest', 'memory.semntic'])!;
      expect(problem).toMatch(/^unknown stages "ask\.fastest", "memory\.semntic"; the stages are /);
      for (const stage of STAGES) expect(problem).toContain(stage);
    });

    it('speaks of one stage in the singular', () => {
      expect(unknownStagesProblem(['nope'])).toMatch(/^unknown stage "nope";/);
    });
  });

  describe('unsheddableStagesProblem', () => {
    it('is undefined for memory tiers', () => {
      expect(unsheddableStagesProblem(['memory.working', 'memory.semantic'])).toBeUndefined();
    });

    it('names each stage the fast path cannot skip and the ones it can', () => {
      expect(unsheddableStagesProblem(['memory.working', 'ask.fast', 'llm.generate'])).toBe(
        '"ask.fast", "llm.generate" cannot be skipped; the fast path skips only memory.working, ' +
          'memory.episodic, memory.semantic',
      );
    });
  });
});
