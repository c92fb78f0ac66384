import type { ApolloDriverConfig } from '@nestjs/apollo';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';

type Plugin = NonNullable<ApolloDriverConfig['plugins']>[number];

// Every GraphQL answer is private to its caller: `cache-control: no-store`, set once here.
// Apollo's cache-control plugin (which would compute a per-field policy only to say the same)
// is disabled beside this: its per-field hook was about a twentieth of the server's CPU on a
// large answer such as room { progress } (docs/benchmarks.md, progress).
const setNoStore: Plugin = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        response.http.headers.set('cache-control', 'no-store');
      },
    };
  },
};

export function noStoreAnswers(): Plugin[] {
  return [ApolloServerPluginCacheControlDisabled() as Plugin, setNoStore];
}
