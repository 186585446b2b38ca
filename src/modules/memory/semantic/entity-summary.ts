import { UNKNOWN_TYPE } from './entity-resolver.js';
import type { EntityRecord, FactView } from './graph-store.js';

/** Facts a summary mentions at most, and its length cap: it is a label for listings and prompts, not a dossier. */
export const SUMMARY_FACTS = 8;
const MAX_CHARS = 280;

/**
 * A one-line description of an entity from its current facts, newest first as given: what it is, then what is
 * said of it ("Ada Lovelace (person): lives in London; wrote the Notes; Babbage worked with it"). Deterministic,
 * so it costs no model call and changes only when the facts do.
 */
export function entitySummary(
  entity: Pick<EntityRecord, 'id' | 'name' | 'type'>,
  facts: readonly FactView[],
): string {
  const said = facts.slice(0, SUMMARY_FACTS).map((f) => {
    const predicate = f.predicate.replaceAll('_', ' ');
    return f.subjectId === entity.id ? `${predicate} ${f.object}` : `${f.subject} ${predicate} it`;
  });
  const head = entity.type && entity.type !== UNKNOWN_TYPE ? `${entity.name} (${entity.type})` : entity.name;
  const text = said.length ? `${head}: ${said.join('; ')}` : head;
  return text.length > MAX_CHARS ? `${text.slice(0, MAX_CHARS - 1).trimEnd()}…` : text;
}
