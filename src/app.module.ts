import { Module, ValidationPipe, type DynamicModule } from '@nestjs/common';
import { APP_GUARD, APP_PIPE } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import type { MercuriusDriverConfig } from '@nestjs/mercurius';
import { MercuriusDriver } from '@nestjs/mercurius';
import { ErrorCode } from './common/error-codes.js';
import { MnemeError } from './common/mneme-error.js';
import { AppConfig } from './config/app-config.js';
import { CoreModule, type CoreDeps } from './core.module.js';
import { LlmModule } from './engines/llm/llm.module.js';
import { graphqlOptions } from './graphql/graphql-options.js';
import { CallerGuard } from './graphql/caller.guard.js';
import { OperationGuard } from './graphql/operation-guard.js';
import { validationMessage } from './graphql/validation-message.js';
import { SocketGuard } from './http/socket-guard.js';
import { AgentModule } from './modules/agent/agent.module.js';
import { AudioModule } from './modules/audio/audio.module.js';
import { FusionModule } from './modules/fusion/fusion.module.js';
import { CallerModule } from './modules/caller/caller.module.js';
import { HealthModule } from './modules/health/health.module.js';
import { ModelsModule } from './modules/models/models.module.js';
import { PerformanceModule } from './modules/performance/performance.module.js';
import { RecallModule } from './modules/recall/recall.module.js';
import { VisionModule } from './modules/vision/vision.module.js';

@Module({})
export class AppModule {
  static forRoot(deps: CoreDeps): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(deps),
        LlmModule,
        GraphQLModule.forRootAsync<MercuriusDriverConfig>({
          driver: MercuriusDriver,
          inject: [AppConfig, OperationGuard, SocketGuard],
          useFactory: graphqlOptions,
        }),
        AgentModule,
        ModelsModule,
        CallerModule,
        VisionModule,
        AudioModule,
        FusionModule,
        HealthModule,
        PerformanceModule,
        RecallModule,
      ],
      providers: [
        { provide: APP_GUARD, useClass: CallerGuard },
        {
          provide: APP_PIPE,
          useFactory: () =>
            new ValidationPipe({
              transform: true,
              exceptionFactory: (errors) =>
                new MnemeError(ErrorCode.BAD_REQUEST, validationMessage(errors) || 'Invalid input'),
            }),
        },
      ],
    };
  }
}
