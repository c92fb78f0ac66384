import { Module, type DynamicModule } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { APP_CONFIG, type AppConfig, formatGraphqlError, LOGGER, queryLimitsRule, textInputGuard, type Logger } from '@parley/common';
import { DatabaseModule } from '@parley/database';
import { FEATURE_MODULES } from './feature-modules';
import { HealthController } from './health.controller';
import { noStoreAnswers } from './graphql-no-store';
import { retryAfterHeader } from './graphql-retry-after';
import { compiledQueries } from './graphql-jit';

export interface AppModuleOptions {
  config: AppConfig;
  logger: Logger;
  databaseUrl: string;
  // where the generated schema is written (the schema:print command); none at run time
  schemaFile?: string;
}

@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions): DynamicModule {
    const { config, logger } = options;
    return {
      module: AppModule,
      global: true,
      imports: [
        DatabaseModule.forRoot({
          url: options.databaseUrl,
          countSql: config.countSql,
          poolSize: config.dbPoolSize,
          statementTimeoutMs: config.statementTimeoutMs,
        }),
        GraphQLModule.forRoot<ApolloDriverConfig>({
          driver: ApolloDriver,
          path: '/graphql',
          autoSchemaFile: options.schemaFile ?? true,
          sortSchema: true,
          introspection: !config.production,
          includeStacktraceInErrorResponses: false,
          allowBatchedHttpRequests: false,
          csrfPrevention: true,
          // no automatic persisted queries: a hash the server never saw would otherwise be a 500
          persistedQueries: false,
          plugins: [textInputGuard(), ...noStoreAnswers(), retryAfterHeader(), compiledQueries()],
          validationRules: [queryLimitsRule()],
          formatError: formatGraphqlError(logger),
          context: ({ req, res }: { req: unknown; res: unknown }) => ({ req, res }),
        }),
        ...FEATURE_MODULES,
      ],
      controllers: [HealthController],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
      ],
      exports: [APP_CONFIG, LOGGER],
    };
  }
}
