// The conversation the bench replays: twelve user turns of one to three sentences, a person planning a trip while
// finishing a project, naming people and places so memory has something to recall. Each session gets its own
// cast, so concurrent sessions hold different conversations (as different users would), never the same prompt.

export const SYSTEM_PROMPT =
  'You are a helpful assistant. You remember what the user told you earlier in the conversation and answer briefly.';

interface Cast {
  sister: string;
  colleague: string;
  first: string;
  second: string;
  project: string;
  day: string;
}

const CASTS: readonly Cast[] = [
  {
    sister: 'Maria',
    colleague: 'Tom',
    first: 'Lisbon',
    second: 'Porto',
    project: 'garden app',
    day: 'Friday',
  },
  {
    sister: 'Sarah',
    colleague: 'David',
    first: 'Vienna',
    second: 'Prague',
    project: 'bakery website',
    day: 'Monday',
  },
  {
    sister: 'Anna',
    colleague: 'James',
    first: 'Dublin',
    second: 'Galway',
    project: 'bird survey',
    day: 'Thursday',
  },
  {
    sister: 'Elena',
    colleague: 'Marcus',
    first: 'Kyoto',
    second: 'Osaka',
    project: 'podcast',
    day: 'Saturday',
  },
];

const TURNS: readonly ((c: Cast) => string)[] = [
  (c) =>
    `Hi! I'm planning a trip to ${c.first} with my sister ${c.sister} next month, and I'd like some help ` +
    'keeping track of everything.',
  (c) =>
    `We fly out on ${c.day} the 14th and come back ten days later. ${c.sister} wants to spend the first few ` +
    `days in ${c.first} and then take the train up to ${c.second}.`,
  (c) =>
    `Before we go I have to finish the ${c.project} I've been building with my colleague ${c.colleague}. He is ` +
    "handling the design and I'm writing most of the code.",
  (c) =>
    `The deadline for the ${c.project} is the Wednesday before we leave, which makes me a little nervous. Do ` +
    'you think two weeks is enough for testing if we start now?',
  (c) =>
    `${c.sister} found a small hotel near the old town in ${c.first} with a view of the river. It costs about ` +
    'ninety euros a night, which seems fair for the location.',
  (c) =>
    `For ${c.second} we haven't booked anything yet. I'd rather stay somewhere quiet with a kitchen, so we ` +
    'can cook a few dinners ourselves and save some money.',
  (c) =>
    `Oh, and ${c.colleague} asked if he could join us for the last weekend in ${c.second}. I said yes, but I ` +
    `still need to tell ${c.sister} about it.`,
  () =>
    'What should I pack for the weather at that time of year? I tend to bring too many clothes and then carry ' +
    'a heavy bag around for the whole trip.',
  (c) =>
    `Back to work for a moment: ${c.colleague} wants to add a map page to the ${c.project} before the ` +
    "deadline, and I'm worried it will take much longer than he thinks.",
  (c) =>
    `I think we'll keep the map for a second version and ship the simple list first. Can you help me write a ` +
    `short note to ${c.colleague} that explains why?`,
  (c) =>
    `One more thing about the trip: ${c.sister} is a vegetarian, so we'll need good places to eat in both ` +
    `${c.first} and ${c.second}. She loves soup and fresh bread.`,
  (c) =>
    `Can you remind me what we decided so far? Who is joining us in ${c.second}, where are we staying in ` +
    `${c.first}, and when is the deadline for the ${c.project}?`,
];

export const MAX_TURNS = TURNS.length;
export const MAX_SESSIONS = CASTS.length;

/** The first `count` user turns of session `session` (0 to MAX_SESSIONS - 1). */
export function conversationTurns(session: number, count: number): string[] {
  const cast = CASTS[session % CASTS.length]!;
  return TURNS.slice(0, count).map((turn) => turn(cast));
}
