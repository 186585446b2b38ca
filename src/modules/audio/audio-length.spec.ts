import { readFileSync } from 'node:fs';
import path from 'node:path';
import { flacBomb } from '../../../test/support/flac-bomb.js';
import { flacLength, mp3DeclaredLength, oggCodec, oggDeclaredLength, seconds } from './audio-length.js';

const fixture = (name: string) => readFileSync(path.resolve('test/fixtures/media', name));

describe('declared audio lengths', () => {
  it('adds up a FLAC’s frame headers, matching a real encoder’s file, and says where each frame starts', () => {
    const length = flacLength(fixture('speech.flac'))!;
    expect(seconds(length)).toBeCloseTo(1.5, 6);
    expect(length.frameOffsets!.length).toBeGreaterThan(1);
    expect(length.frameOffsets!.every((at) => fixture('speech.flac')[at] === 0xff)).toBe(true);
  });

  it('counts the frames of a FLAC bomb whether STREAMINFO tells the truth or lies', () => {
    expect(seconds(flacLength(flacBomb({ seconds: 7200 })))).toBe(7200);
    expect(seconds(flacLength(flacBomb({ seconds: 7200, declaredSeconds: 1 })))).toBe(7200);
  });

  it('does not trust a STREAMINFO total that no frame backs', () => {
    const header = flacBomb({ seconds: 0, declaredSeconds: 7200 });
    expect(flacLength(header)).toEqual({ frames: 0, sampleRate: 44_100, frameOffsets: [] });
  });

  it('has no length for a FLAC without STREAMINFO', () => {
    expect(flacLength(Buffer.from('fLaC\x01\x00\x00\x00', 'latin1'))).toBeUndefined();
  });

  it('reads an MP3’s Xing frame count', () => {
    expect(seconds(mp3DeclaredLength(fixture('stereo.mp3')))).toBeCloseTo(1.056, 3);
  });

  it('has no MP3 length without a Xing, Info or VBRI header', () => {
    const bytes = Buffer.from(fixture('stereo.mp3'));
    const at = bytes.indexOf('Xing') >= 0 ? bytes.indexOf('Xing') : bytes.indexOf('Info');
    expect(at).toBeGreaterThan(0);
    bytes.write('None', at, 'latin1');
    expect(mp3DeclaredLength(bytes)).toBeUndefined();
  });

  it.each([
    ['speech.ogg', 'vorbis'],
    ['speech.opus', 'opus'],
  ])('reads the last granule position of %s (%s)', (name, codec) => {
    const bytes = fixture(name);
    expect(oggCodec(bytes)).toBe(codec);
    expect(seconds(oggDeclaredLength(bytes))).toBeCloseTo(1.5, 2);
  });
});
