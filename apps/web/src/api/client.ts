import { Client, cacheExchange, fetchExchange } from 'urql';

// One urql client. The session is the HttpOnly cookie (same origin); the header asks the
// server to put a new session in that cookie rather than in the answer.
export const client = new Client({
  url: '/graphql',
  exchanges: [cacheExchange, fetchExchange],
  fetchOptions: () => ({ credentials: 'same-origin', headers: { 'x-parley-session': 'cookie' } }),
  requestPolicy: 'cache-and-network',
  // POST only: Apollo's CSRF prevention refuses a GET query without a preflight header
  preferGetMethod: false,
});
