/**
 * Kafka partition choice as the Dapr Kafka component makes it: sarama's hash partitioner, i.e. FNV-1a 32-bit over
 * the key bytes (DAPR.md §1: "hashed by sarama's FNV-1a hash partitioner (not Java's murmur2)",
 * C: common/component/kafka/partitioner.go → `sarama.NewHashPartitioner`).
 */

/** FNV-1a, 32-bit (Go `hash/fnv.New32a`). */
export const fnv1a32 = (bytes: Uint8Array): number => {
  let h = 0x811c9dc5
  for (const b of bytes) {
    h ^= b
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h >>> 0
}

/**
 * sarama's default hash partitioner (neither `referenceAbs` nor `hashUnsigned`): `int32(hash) % n`, negated when
 * negative. Go's `%` truncates toward zero like JavaScript's, so the sign handling matches.
 */
export const hashPartition = (key: string, partitions: number): number => {
  // Math.abs also turns JavaScript's -0 into 0.
  return Math.abs((fnv1a32(Buffer.from(key, "utf8")) | 0) % partitions)
}
