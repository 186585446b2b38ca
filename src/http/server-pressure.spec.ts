import { Headroom, SUSTAINED_DELAY_MS } from '../telemetry/headroom.js';
import { measuredReading } from './server-pressure.js';

const limits = { maxRssBytes: 0, maxEventLoopDelayMs: 1000 };

/** A Headroom on a hand-moved clock, its probe returning whatever delay the test sets. */
function guardOnClock() {
  let clock = 0;
  let delay = 0;
  const headroom = new Headroom(limits, () => clock);
  headroom.attachProbe(() => measuredReading({ rssBytes: 1, eventLoopDelay: delay }));
  headroom.detach(); // samples are taken by hand below
  const sampleAt = (ms: number, ms2: number) => {
    clock = ms;
    delay = ms2;
    headroom.sampleDelay();
  };
  return { headroom, sampleAt, setDelay: (d: number) => (delay = d) };
}

describe('measuredReading', () => {
  it('reads an interval without a delay sample as no delay', () => {
    expect(measuredReading({ rssBytes: 7, eventLoopDelay: Infinity })).toEqual({
      rssBytes: 7,
      eventLoopDelay: 0,
    });
    expect(measuredReading({ rssBytes: 7, eventLoopDelay: Number.NaN })).toEqual({
      rssBytes: 7,
      eventLoopDelay: 0,
    });
    expect(measuredReading({ rssBytes: 7, eventLoopDelay: 1500 })).toEqual({
      rssBytes: 7,
      eventLoopDelay: 1500,
    });
  });
});

describe('Headroom on event-loop delay', () => {
  it('admits work after one long block (booting, a model load): one sample over the limit is not overload', () => {
    const { headroom, sampleAt } = guardOnClock();
    sampleAt(0, 1047);
    sampleAt(900, 1047); // the same block read twice by an unaligned sampler
    expect(() => headroom.assert('media decoding')).not.toThrow();
    sampleAt(1900, 12);
    sampleAt(2900, 1500);
    expect(() => headroom.assert('media decoding')).not.toThrow();
  });

  it('refuses once the delay has stayed over the limit, naming how long, and admits again when it falls', () => {
    const { headroom, sampleAt, setDelay } = guardOnClock();
    sampleAt(0, 1500);
    sampleAt(1000, 1400);
    expect(() => headroom.assert('asks')).not.toThrow();
    sampleAt(SUSTAINED_DELAY_MS, 1600);
    expect(() => headroom.assert('asks')).toThrow(
      /event-loop delay 1600 ms over 1000 ms for 2 s, MNEME_PRESSURE_MAX_EVENT_LOOP_DELAY_MS\); new asks is refused/,
    );
    setDelay(20); // the live reading recovered before the next sample: admitted at once
    expect(() => headroom.assert('asks')).not.toThrow();
    sampleAt(SUSTAINED_DELAY_MS + 1000, 20);
    sampleAt(SUSTAINED_DELAY_MS + 2000, 1600); // a new stretch starts counting from zero
    expect(() => headroom.assert('asks')).not.toThrow();
  });
});
