import { runService } from '@flowscope/runtime';
import { setFlagsFromString } from 'node:v8';
import { loadTrackerConfig, type TrackerConfig } from './config';
import { DefinitionRegistry } from './flows/definitions/definition-registry';
import { TrackerModule } from './tracker.module';

// Definitions are checked with the rest of the configuration: a bad file stops the tracker at
// start with a message naming the file and the field.
const load = (): TrackerConfig & { registry: DefinitionRegistry } => {
  const config = loadTrackerConfig();
  // Read by V8 at each full GC (so setting it now, with a heap of a few MiB, is in time); not a flag
  // NODE_OPTIONS accepts, so the tracker sets it itself.
  if (config.TRACKER_HEAP_GROWTH_PERCENT > 0)
    setFlagsFromString(`--heap-growing-percent=${config.TRACKER_HEAP_GROWTH_PERCENT}`);
  return { ...config, registry: DefinitionRegistry.load(config.FLOW_DEFINITIONS_DIR, config.FLOW_TIMEOUT_MS) };
};

runService('process-tracker', load, (config) => TrackerModule.forRoot(config, config.registry));
