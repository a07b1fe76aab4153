import { runService } from '@flowscope/runtime';
import { loadTrackerConfig, type TrackerConfig } from './config';
import { DefinitionRegistry } from './flows/definitions/definition-registry';
import { TrackerModule } from './tracker.module';

// Definitions are checked with the rest of the configuration: a bad file stops the tracker at
// start with a message naming the file and the field.
const load = (): TrackerConfig & { registry: DefinitionRegistry } => {
  const config = loadTrackerConfig();
  return { ...config, registry: DefinitionRegistry.load(config.FLOW_DEFINITIONS_DIR, config.FLOW_TIMEOUT_MS) };
};

runService('process-tracker', load, (config) => TrackerModule.forRoot(config, config.registry));
