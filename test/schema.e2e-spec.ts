// apps/api/schema.gql is what clients, the web app's codegen and the authorization matrix
// read: it must be exactly what the code generates (`npm run schema` writes it).
import { describe, expect, it } from '@jest/globals';
import { createTwoFilesPatch } from 'diff';
import { checkedInSchema, generatedSchema } from './support/schema';

describe('the checked-in GraphQL schema', () => {
  it('is the schema the code generates', async () => {
    const [checkedIn, generated] = await Promise.all([checkedInSchema(), generatedSchema()]);
    if (checkedIn !== generated) {
      const patch = createTwoFilesPatch('apps/api/schema.gql (checked in)', 'schema:print (generated from the code)', checkedIn, generated);
      throw new Error(`apps/api/schema.gql is stale: run \`npm run schema\` and commit it.\n${patch}`);
    }
    expect(generated).toContain('type Query');
  });
});
