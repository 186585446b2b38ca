import { StopScanner } from './stop-scanner.js';

describe('StopScanner', () => {
  it('releases text that cannot start a stop string at once', () => {
    const scanner = new StopScanner(['###']);
    expect(scanner.push('Hello')).toEqual({ release: 'Hello', stopped: false });
  });

  it('holds a possible start until the next piece decides, then releases it', () => {
    const scanner = new StopScanner(['###']);
    expect(scanner.push('a #')).toEqual({ release: 'a ', stopped: false });
    expect(scanner.push('#b')).toEqual({ release: '##b', stopped: false });
  });

  it('cuts at a stop string split over pieces, never releasing any of it', () => {
    const scanner = new StopScanner(['END']);
    expect(scanner.push('one E').release).toBe('one ');
    expect(scanner.push('ND two')).toEqual({ release: '', stopped: true });
  });

  it('cuts at the earliest of several stop strings', () => {
    const scanner = new StopScanner(['zz', 'b']);
    expect(scanner.push('abczz')).toEqual({ release: 'a', stopped: true });
  });

  it('gives back what it held when the text ends', () => {
    const scanner = new StopScanner(['</s>']);
    expect(scanner.push('x </').release).toBe('x ');
    expect(scanner.flush()).toBe('</');
  });

  it('without stop strings holds nothing', () => {
    const scanner = new StopScanner([]);
    expect(scanner.push('anything')).toEqual({ release: 'anything', stopped: false });
    expect(scanner.flush()).toBe('');
  });
});
