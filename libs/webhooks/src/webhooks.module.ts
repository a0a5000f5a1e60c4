import { DynamicModule, InjectionToken, Module, ModuleMetadata, Type } from '@nestjs/common';
import { WebhookRepository } from './webhook.repository';
import { WEBHOOK_SETTINGS, WebhookSettings, WebhookTargets } from './webhook.settings';
import { WebhookWorker } from './webhook.worker';

export interface WebhooksModuleOptions {
  /** Modules the targets provider needs (its repository, the cipher…). */
  readonly imports?: ModuleMetadata['imports'];
  /** The app's `WebhookTargets` implementation. */
  readonly targets: Type<WebhookTargets>;
  /** The app's webhook settings, usually a slice of its own config. */
  readonly settings: { inject: InjectionToken[]; useFactory: (...deps: never[]) => WebhookSettings };
}

/** Signed webhooks with retries and a delivery log: the outbox repository and the worker that sends it. */
@Module({})
export class WebhooksModule {
  static register(options: WebhooksModuleOptions): DynamicModule {
    return {
      module: WebhooksModule,
      imports: options.imports ?? [],
      providers: [
        WebhookRepository,
        WebhookWorker,
        { provide: WebhookTargets, useClass: options.targets },
        {
          provide: WEBHOOK_SETTINGS,
          inject: options.settings.inject,
          useFactory: options.settings.useFactory,
        },
      ],
      exports: [WebhookRepository],
    };
  }
}
