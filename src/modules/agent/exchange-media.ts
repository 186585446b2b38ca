import type { Percept } from '../fusion/percept.js';
import { perceptNote } from '../fusion/percept-context.js';
import type { ExchangeMedia } from '../memory/memory.service.js';

/** What memory keeps of an ask's media: a note for the user's turn and the shared-space vectors. */
export function exchangeMedia(percept: Percept): ExchangeMedia {
  const images = percept.images.length > 0;
  const audio = percept.transcript !== undefined;
  return {
    modality: images && audio ? 'multimodal' : images ? 'image' : 'audio',
    note: perceptNote(percept),
    hashes: percept.mediaHashes,
    imageVector: percept.vectors.image,
    audioVector: percept.vectors.audio,
    fusedVector: percept.fused,
  };
}
