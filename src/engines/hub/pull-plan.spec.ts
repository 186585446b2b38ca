import type { HubFile } from './hub-client.js';
import { folderFiles, isGgufSource, kindOfModelType, parseSource } from './pull-plan.js';

const file = (p: string): HubFile => ({ path: p, size: 1, gitOid: 'x' });

describe('parseSource', () => {
  it.each([
    ['hf:Xenova/clip-vit-base-patch32', { repo: 'Xenova/clip-vit-base-patch32', revision: 'main' }],
    [
      'hf:bartowski/Qwen2.5-1.5B-Instruct-GGUF:Q4_K_M',
      { repo: 'bartowski/Qwen2.5-1.5B-Instruct-GGUF', revision: 'main', tag: 'Q4_K_M' },
    ],
    ['hf:org/repo/sub/model.Q8_0.gguf', { repo: 'org/repo', revision: 'main', file: 'sub/model.Q8_0.gguf' }],
    ['hf:org/repo@v1.2', { repo: 'org/repo', revision: 'v1.2' }],
  ])('reads %s', (source, parsed) => {
    expect(parseSource(source)).toEqual(parsed);
  });

  it.each(['', 'hf:', 'hf:only-owner', 'https://example.org/x.gguf', 'hf:a/b c', 'hf:../../etc/passwd'])(
    'refuses %j with what a source looks like',
    (source) => {
      expect(() => parseSource(source)).toThrow(/is not a hub source: use hf:owner\/repo/);
    },
  );

  it('tells a GGUF source by its tag or file', () => {
    expect(isGgufSource(parseSource('hf:o/r:Q4_K_M'))).toBe(true);
    expect(isGgufSource(parseSource('hf:o/r/m.gguf'))).toBe(true);
    expect(isGgufSource(parseSource('hf:o/r'))).toBe(false);
  });
});

describe('kindOfModelType', () => {
  it.each([
    ['clip', 'vision'],
    ['siglip', 'vision'],
    ['whisper', 'speech-to-text'],
    ['wav2vec2', 'speech-to-text'],
    ['clap', 'audio-embedding'],
    ['bert', 'text-embedding'],
    ['mpnet', 'text-embedding'],
    ['llama', undefined],
  ])('reads %s as %s', (type, kind) => {
    expect(kindOfModelType(type)).toBe(kind);
  });
});

describe('folderFiles', () => {
  const clipRepo = [
    'README.md',
    '.gitattributes',
    'config.json',
    'tokenizer.json',
    'preprocessor_config.json',
    'onnx/model.onnx',
    'onnx/vision_model.onnx',
    'onnx/vision_model_quantized.onnx',
    'onnx/text_model.onnx',
    'onnx/text_model_quantized.onnx',
    'onnx/text_model_fp16.onnx',
  ].map(file);

  it('takes the configs and exactly the parts the kind loads, in the dtype asked for', () => {
    const paths = (dtype: 'fp32' | 'q8') =>
      folderFiles(clipRepo, 'vision', dtype, 'o/clip').map((f) => f.path);
    expect(paths('fp32')).toEqual([
      'config.json',
      'tokenizer.json',
      'preprocessor_config.json',
      'onnx/vision_model.onnx',
      'onnx/text_model.onnx',
    ]);
    expect(paths('q8')).toEqual(
      expect.arrayContaining(['onnx/vision_model_quantized.onnx', 'onnx/text_model_quantized.onnx']),
    );
    expect(paths('q8')).not.toContain('onnx/model.onnx');
  });

  it('refuses a listing with a path that would leave the model folder', () => {
    expect(() =>
      folderFiles([...clipRepo, file('onnx/../../../escape.json')], 'vision', 'fp32', 'o/clip'),
    ).toThrow(/lists a file outside the repository/);
  });

  it('names the dtypes a repository offers when the one asked for is missing', () => {
    expect(() => folderFiles(clipRepo, 'vision', 'q4', 'o/clip')).toThrow(
      'o/clip has no q4 ONNX weights for a vision model (vision_model / text_model); it offers fp32, q8, fp16.',
    );
  });
});
