/** The partition of a flow: FNV-1a of its store key, modulo the partition count (the same on every replica). */
export function partitionOf(kvKey: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < kvKey.length; i++) {
    hash ^= kvKey.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}
