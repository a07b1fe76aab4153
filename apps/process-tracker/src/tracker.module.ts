import { natsAuth, ServiceModule } from '@flowscope/runtime';
import { Module, type DynamicModule } from '@nestjs/common';
import { TRACKER_CONFIG, type TrackerConfig } from './config';
import { ConsoleModule } from './console/console.module';
import { FLOW_QUERIES } from './console/flow-queries';
import { TableFlowQueries } from './console/table-flow-queries';
import { FlowReader } from './flows/api/flow-reader';
import { PeerLists } from './flows/api/peer-lists';
import { FlowsController } from './flows/api/flows.controller';
import { PartitionsController } from './flows/api/partitions.controller';
import { Checkpointer } from './flows/checkpoints/checkpointer';
import { CheckpointStore } from './flows/checkpoints/checkpoint-store';
import { DefinitionRegistry } from './flows/definitions/definition-registry';
import { EventIngestor } from './flows/ingest/event-ingestor';
import { FlowOutputs } from './flows/outputs/flow-outputs';
import { StallSweeper } from './flows/outputs/stall-sweeper';
import { PartitionCoordinator } from './flows/partitions/partition-coordinator';
import { PartitionLeases } from './flows/partitions/partition-leases';
import { FlowTable } from './flows/state/flow-table';

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
      controllers: [FlowsController, PartitionsController],
      providers: [
        { provide: TRACKER_CONFIG, useValue: config },
        { provide: DefinitionRegistry, useValue: registry },
        FlowTable,
        CheckpointStore,
        FlowOutputs,
        EventIngestor,
        Checkpointer,
        PartitionLeases,
        PartitionCoordinator,
        PeerLists,
        FlowReader,
        StallSweeper,
        { provide: FLOW_QUERIES, useClass: TableFlowQueries },
      ],
      exports: [FLOW_QUERIES],
    };
  }
}
