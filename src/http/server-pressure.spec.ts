import { Headroom } from '../telemetry/headroom.js';
import { measuredReading } from './server-pressure.js';

describe('measuredReading', () => {
  const limits = { maxRssBytes: 0, maxEventLoopDelayMs: 1000 };

  it('reads an interval without a delay sample as no delay, so the next second’s work is admitted', () => {
    const headroom = new Headroom(limits);
    headroom.attachProbe(() => measuredReading({ rssBytes: 1, eventLoopDelay: Infinity }));
    expect(() => headroom.assert('media decoding')).not.toThrow();
    expect(measuredReading({ rssBytes: 7, eventLoopDelay: Number.NaN })).toEqual({
      rssBytes: 7,
      eventLoopDelay: 0,
    });
  });

  it('passes a measured delay through, and a delay over the limit still refuses', () => {
    const headroom = new Headroom(limits);
    headroom.attachProbe(() => measuredReading({ rssBytes: 1, eventLoopDelay: 1500 }));
    expect(() => headroom.assert('media decoding')).toThrow(/event-loop delay 1500 ms over 1000 ms/);
  });
});
