import { routeByRules, type RouteRequest } from './rule-router.js';

const ask = (prompt: string, extra: Partial<RouteRequest> = {}): RouteRequest => ({
  prompt,
  media: 0,
  maxTokens: undefined,
  hint: undefined,
  mayForce: false,
  ...extra,
});

describe('routeByRules', () => {
  it.each([
    ['Hi!', 'fast'],
    ['What is the capital of France?', 'fast'],
    ['Thanks, that is all.', 'fast'],
    ['Explain why the sky is blue.', 'medium'],
    ['Compare PostgreSQL versus MySQL for a small shop.', 'medium'],
    ['What is 17 * 23?', 'medium'],
    ['Solve step by step: a train leaves at 3pm at 60 km/h; how many km by 5:30pm? Explain why.', 'deep'],
    [
      'Write a detailed essay comparing the pros and cons of nuclear versus solar power, and explain why.',
      'deep',
    ],
  ])('%s → %s', (prompt, path) => {
    expect(routeByRules(ask(prompt)).path).toBe(path);
  });

  it('sends a long prompt past fast', () => {
    expect(routeByRules(ask('word '.repeat(120))).path).toBe('medium');
    expect(routeByRules(ask('word '.repeat(500) + ' explain why')).path).toBe('deep');
  });

  it('lets media and a long requested answer raise the path', () => {
    expect(routeByRules(ask('What is this?', { media: 1 })).path).toBe('medium');
    expect(routeByRules(ask('Tell me about cats', { maxTokens: 2000 })).path).toBe('medium');
    expect(routeByRules(ask('Explain why cats purr', { maxTokens: 2000 })).path).toBe('deep');
  });

  it('names the signals that decided in the reason', () => {
    const decision = routeByRules(ask('Compare tea versus coffee and explain why'));
    expect(decision.reason).toContain('comparison');
    expect(decision.reason).toContain('explanation');
    expect(routeByRules(ask('Hi')).reason).toBe('short, no reasoning cues');
  });

  it('scores every path in 0..1.5 with the chosen path highest', () => {
    for (const prompt of [
      'Hi',
      'Explain why',
      'Write a detailed essay, step by step, comparing A versus B and explain why',
    ]) {
      const { path, scores } = routeByRules(ask(prompt));
      for (const value of Object.values(scores)) {
        expect(value).toBeGreaterThanOrEqual(0);
        expect(value).toBeLessThanOrEqual(1.5);
      }
      expect(Math.max(...Object.values(scores))).toBe(scores[path]);
    }
  });

  it('treats a hint as a request: it tips a close call but does not override clear signals', () => {
    expect(routeByRules(ask('Hi', { hint: 'medium' })).path).toBe('fast');
    expect(routeByRules(ask('Hi', { hint: 'deep' })).path).toBe('fast');
    const close = routeByRules(ask('Explain why the sky is blue.', { hint: 'deep' }));
    expect(close.reason).toMatch(/hint deep (taken|outweighed)/);
    expect(routeByRules(ask('What does HTTP stand for? Explain.', { hint: 'fast' })).path).toBe('fast');
  });

  it('lets a tenant allowed to force use the hint as given', () => {
    const decision = routeByRules(ask('Hi', { hint: 'deep', mayForce: true }));
    expect(decision.path).toBe('deep');
    expect(decision.reason).toMatch(/^forced by hint deep/);
  });

  it('is deterministic', () => {
    const request = ask('Compare A versus B');
    expect(routeByRules(request)).toEqual(routeByRules(request));
  });
});
