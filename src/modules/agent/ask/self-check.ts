export interface SelfCheck {
  unsure: boolean;
  /** What made the answer look unsure, for the route's reason. */
  reasons: string[];
}

// Hedges and refusals a small model produces when it does not know; word-bounded, case-insensitive.
const HEDGES =
  /\b(i'?m not sure|i am not sure|not certain|i don'?t know|i do not know|no idea|i cannot|i can'?t (help|answer|say)|hard to say|unclear|it depends|as an ai)\b/i;

/**
 * A cheap self-check of a fast answer, for engines that expose no token probabilities: an empty answer, one cut
 * off by the path's own token limit (not by a limit the caller chose), or one that hedges or refuses.
 */
export function checkAnswer(
  text: string,
  finishReason: 'stop' | 'length',
  callerLimitedTokens: boolean,
): SelfCheck {
  const reasons: string[] = [];
  if (text.trim() === '') reasons.push('empty answer');
  if (finishReason === 'length' && !callerLimitedTokens) reasons.push('cut off at the path’s token limit');
  const hedge = HEDGES.exec(text);
  if (hedge) reasons.push(`hedged ("${hedge[0]}")`);
  return { unsure: reasons.length > 0, reasons };
}
