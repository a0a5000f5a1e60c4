import { DomainException } from './domain.exception';

/** Containers (objects, arrays) nested deeper than this are refused before anything reads them. */
export const JSON_DEPTH_MAX = 32;
/** 400: a string (or a key) holds U+0000, which Postgres text and jsonb cannot store. */
export const NUL_CHARACTER = 'NUL_CHARACTER';
/** 400: the JSON nests deeper than JSON_DEPTH_MAX (class-transformer and the mappers recurse). */
export const JSON_TOO_DEEP = 'JSON_TOO_DEEP';

const escapePointer = (key: string) =>
  key
    .replace(/~/g, '~0')
    .replace(/\//g, '~1')
    .replace(/\u0000/g, '\\u0000');

/**
 * Why this input (a parsed JSON body, a query object, a path parameter, a message payload) cannot be taken,
 * or undefined: a NUL character in any string or key, or nesting deeper than `maxDepth`. Walks without
 * recursion, so a hostile depth cannot overflow the stack here. `at` is the JSON pointer of `value`.
 */
export function inputProblem(
  value: unknown,
  at = '#',
  maxDepth = JSON_DEPTH_MAX,
): DomainException | undefined {
  const stack: [unknown, string, number][] = [[value, at, 0]];
  while (stack.length > 0) {
    const [item, pointer, depth] = stack.pop()!;
    if (typeof item === 'string') {
      if (item.includes('\u0000')) return nulCharacter(pointer);
      continue;
    }
    if (item === null || typeof item !== 'object' || ArrayBuffer.isView(item)) continue;
    if (depth >= maxDepth) {
      return new DomainException(JSON_TOO_DEEP, 'invalid', `JSON may nest at most ${maxDepth} levels deep`, {
        errors: [{ pointer, detail: `nested deeper than ${maxDepth} levels` }],
      });
    }
    for (const [key, child] of Object.entries(item)) {
      const childPointer = `${pointer}/${escapePointer(key)}`;
      if (key.includes('\u0000')) return nulCharacter(childPointer);
      stack.push([child, childPointer, depth + 1]);
    }
  }
  return undefined;
}

function nulCharacter(pointer: string): DomainException {
  return new DomainException(NUL_CHARACTER, 'invalid', 'Text may not contain NUL (U+0000) characters', {
    errors: [{ pointer, detail: 'contains a NUL (U+0000) character' }],
  });
}
