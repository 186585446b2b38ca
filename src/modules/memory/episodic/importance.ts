// Explicit cues that a user wants something kept: names, preferences, standing instructions, health facts.
const CUES =
  /\b(remember|don'?t forget|important|my name is|call me|i am allergic|i'?m allergic|always|never|my (birthday|address|email|phone|wife|husband|partner|son|daughter|favou?rite))\b/i;

/**
 * A first estimate of how much an episode matters (0..1), before consolidation refines it: what the user says
 * outranks what the assistant says, and explicit cues ("remember…", "my name is…") outrank small talk.
 */
export function estimateImportance(role: string, text: string): number {
  const base = role === 'user' ? 0.5 : 0.3;
  return CUES.test(text) ? Math.min(1, base + 0.4) : base;
}

const SUMMARY_CHARS = 400;

/** The prompt-sized form of a turn until consolidation writes a real summary: the start, cut at a word. */
export function provisionalSummary(text: string): string {
  const trimmed = text.trim();
  if (trimmed.length <= SUMMARY_CHARS) return trimmed;
  const cut = trimmed.slice(0, SUMMARY_CHARS);
  const space = cut.lastIndexOf(' ');
  return `${(space > SUMMARY_CHARS / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
