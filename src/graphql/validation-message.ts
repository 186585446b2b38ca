import type { ValidationError } from '@nestjs/common';

/** Every constraint a validation broke, nested ones included, each prefixed with where it is ("images.0: …"). */
export function validationMessage(errors: readonly ValidationError[], path = ''): string {
  return errors
    .flatMap((error) => {
      const at = path ? `${path}.${error.property}` : '';
      const own = Object.values(error.constraints ?? {}).map((text) => (at ? `${at}: ${text}` : text));
      const nested = error.children?.length ? [validationMessage(error.children, at || error.property)] : [];
      return [...own, ...nested];
    })
    .filter(Boolean)
    .join('; ');
}
