import { ClientError, GraphQLClient, gql } from 'graphql-request';
import { KEYS, bearer } from './test-app.js';

// The memory API's documents and result shapes, shared by the memory e2e files.

export const ASK = gql`
  mutation Ask($input: AskInput!) {
    ask(input: $input) {
      text
      sessionId
      usage {
        promptTokens
        cachedPromptTokens
      }
      memory {
        used {
          id
          tier
        }
        remembered
        degraded
        warnings
      }
      context {
        role
        content
      }
    }
  }
`;
export const RECALL = gql`
  query Recall($query: String!, $tiers: [MemoryTier!], $first: Int, $sessionId: String) {
    recall(query: $query, tiers: $tiers, first: $first, sessionId: $sessionId) {
      id
      tier
      sessionId
      role
      text
      createdAt
      score
    }
  }
`;
export const EPISODES = gql`
  query Episodes($sessionId: String!, $first: Int, $after: String) {
    episodes(sessionId: $sessionId, first: $first, after: $after) {
      edges {
        cursor
        node {
          id
          text
          role
          createdAt
          sessionId
          modality
          importance
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;
export const FORGET = gql`
  mutation Forget($input: ForgetInput!) {
    forget(input: $input) {
      working
      episodic
      total
    }
  }
`;

export interface AskResult {
  ask: {
    text: string;
    sessionId: string;
    usage: { promptTokens: number; cachedPromptTokens: number };
    memory: {
      used: { id: string; tier: string }[];
      remembered: string[];
      degraded: string[];
      warnings: string[];
    };
    context: { role: string; content: string }[] | null;
  };
}
export interface Hit {
  id: string;
  tier: string;
  sessionId: string;
  role: string;
  text: string;
}

export const codeOf = async (promise: Promise<unknown>): Promise<string | undefined> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ClientError);
  return (error as ClientError).response.errors?.[0]?.extensions?.code as string | undefined;
};

/** An ask that returns its prompt (debug), short and greedy. */
export const ask = (client: GraphQLClient, input: Record<string, unknown>) =>
  client.request<AskResult>(ASK, { input: { maxTokens: 8, temperature: 0, debug: true, ...input } });

/** Alice's and Bob's clients on a test server. */
export function clientsOf(url: string): { alice: GraphQLClient; bob: GraphQLClient } {
  const client = (key: string) => new GraphQLClient(`${url}/graphql`, { headers: bearer(key) });
  return { alice: client(KEYS.alice), bob: client(KEYS.bob) };
}
