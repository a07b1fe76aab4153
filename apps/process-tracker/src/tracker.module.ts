import { natsAuth, ServiceModule } from '@flowscope/runtime';
import { Module, type DynamicModule } from '@nestjs/common';
import { TRACKER_CONFIG, type TrackerConfig } from './config';
import { ConsoleModule } from './console/console.module';
import { FLOW_QUERIES } from './console/flow-queries';
import { StoreFlowQueries } from './console/store-flow-queries';
import { FlowsController } from './flows/api/flows.controller';
import { DefinitionRegistry } from './flows/definitions/definition-registry';
import { EventIngestor } from './flows/ingest/event-ingestor';
import { FlowOutputs } from './flows/outputs/flow-outputs';
import { StallSweeper } from './flows/outputs/stall-sweeper';
import { FlowStore } from './flows/store/flow-store';

@Module({})
export class TrackerModule {
  static forRoot(config: TrackerConfig, registry: DefinitionRegistry): DynamicModule {
    return {
      module: TrackerModule,
      // Global, so the console module sees FLOW_QUERIES, its one view of the tracker's state.
      global: true,
      imports: [
        ServiceModule.forRoot({ service: 'process-tracker', natsUrl: config.NATS_URL, natsAuth: natsAuth(config) }),
        ConsoleModule.forRoot(config),
      ],
      controllers: [FlowsController],
      providers: [
        { provide: TRACKER_CONFIG, useValue: config },
        { provide: DefinitionRegistry, useValue: registry },
        FlowStore,
        FlowOutputs,
        EventIngestor,
        StallSweeper,
        { provide: FLOW_QUERIES, useClass: StoreFlowQueries },
      ],
      exports: [FLOW_QUERIES],
    };
  }
}
