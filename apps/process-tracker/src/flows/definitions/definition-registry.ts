import { FlowDefinitionSchema, toIssues, type FlowDefinition } from '@flowscope/contracts';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/** A definition file that cannot be used; the message names the file and the field. */
export class DefinitionError extends Error {
  override readonly name = 'DefinitionError';
}

/** The loaded flow definitions, and which of them each event type belongs to. */
export class DefinitionRegistry {
  private readonly byType = new Map<string, FlowDefinition[]>();
  private readonly byName = new Map<string, FlowDefinition>();
  private readonly names = new Map<string, string>();

  constructor(readonly definitions: readonly FlowDefinition[]) {
    for (const def of definitions) {
      if (this.byName.has(def.name)) throw new DefinitionError(`two definitions are named '${def.name}'`);
      this.byName.set(def.name, def);
      const types = new Set(def.steps.flatMap((s) => [...s.done, ...(s.failed ?? []), ...(s.compensatedBy ?? [])]));
      for (const type of types) {
        this.byType.set(type, [...(this.byType.get(type) ?? []), def]);
        this.names.set(type, type);
      }
    }
  }

  /** Reads every `.yaml`, `.yml` and `.json` file of `dir`; `timeoutMs` overrides every SLA when set. */
  static load(dir: string, timeoutMs?: number): DefinitionRegistry {
    let files: string[];
    try {
      files = readdirSync(dir)
        .filter((f) => /\.(ya?ml|json)$/.test(f))
        .sort();
    } catch (error) {
      throw new DefinitionError(`cannot read FLOW_DEFINITIONS_DIR ${dir}: ${(error as Error).message}`);
    }
    if (files.length === 0) throw new DefinitionError(`no flow definitions (*.yaml, *.yml, *.json) in ${dir}`);
    const defs = files.map((file) => readDefinition(path.join(dir, file)));
    return new DefinitionRegistry(timeoutMs ? defs.map((d) => ({ ...d, timeoutMs })) : defs);
  }

  get(name: string): FlowDefinition | undefined {
    return this.byName.get(name);
  }

  forType(type: string): readonly FlowDefinition[] {
    return this.byType.get(type) ?? [];
  }

  /** The definitions' own copy of an event type's name (flows in memory share it, not one per event). */
  typeName(type: string): string {
    return this.names.get(type) ?? type;
  }
}

function readDefinition(file: string): FlowDefinition {
  let raw: unknown;
  try {
    const text = readFileSync(file, 'utf8');
    raw = file.endsWith('.json') ? JSON.parse(text) : parse(text);
  } catch (error) {
    throw new DefinitionError(`${file}: cannot be parsed: ${(error as Error).message}`);
  }
  const result = FlowDefinitionSchema.safeParse(raw);
  if (!result.success) {
    const problems = toIssues(result.error)
      .map((i) => `${i.path}: ${i.message}`)
      .join('; ');
    throw new DefinitionError(`${file}: ${problems}`);
  }
  return result.data;
}

/** The correlation value at `path` in an event's data, if it is a usable key. */
export function correlationKey(def: FlowDefinition, data: unknown): string | undefined {
  let value: unknown = data;
  for (const part of def.correlation.split('.')) {
    value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[part] : undefined;
  }
  if (typeof value === 'number') value = String(value);
  return typeof value === 'string' && /^[A-Za-z0-9_-]{1,128}$/.test(value) ? value : undefined;
}
