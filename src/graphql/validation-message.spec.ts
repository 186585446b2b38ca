import type { ValidationError } from '@nestjs/common';
import { validationMessage } from './validation-message.js';

const error = (property: string, constraints?: Record<string, string>, children?: ValidationError[]) =>
  ({ property, constraints, children }) as ValidationError;

describe('validationMessage', () => {
  it('keeps top-level messages as they are', () => {
    expect(validationMessage([error('prompt', { matches: 'prompt must not be empty' })])).toBe(
      'prompt must not be empty',
    );
  });

  it('names where a nested constraint broke', () => {
    const nested = error('images', undefined, [
      error('0', undefined, [
        error('mimeType', { maxLength: 'mimeType must be shorter than or equal to 128 characters' }),
      ]),
    ]);
    expect(validationMessage([nested, error('samples', { max: 'samples must not be greater than 8' })])).toBe(
      'images.0.mimeType: mimeType must be shorter than or equal to 128 characters; samples must not be greater than 8',
    );
  });
});
