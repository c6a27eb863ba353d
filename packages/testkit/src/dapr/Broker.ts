import { hashPartition } from "./Partitioner.ts"

/**
 * An in-memory stand-in for Kafka: partitioned topic logs and consumer groups.
 *
 * - Partition: FNV-1a hash of the key modulo the partition count; round-robin without a key (DAPR.md §1).
 * - Consumer group = the subscribing sidecar's app-id (DAPR.md §4: `consumerGroup` unset ⇒ app-id), so every app
 *   gets every record, and replicas of one app share the partitions.
 * - Per group and partition exactly one record is in flight; the next is handed out only once the previous is
 *   finished (acked, dropped or dead-lettered). That is the ordering guarantee of DAPR.md §2 "Ordering"
 *   (daprd handles one message at a time per claimed partition, partitions concurrently).
 */
export interface BrokerRecord {
  readonly topic: string
  readonly partition: number
  readonly offset: number
  /** The Kafka key (`metadata.partitionKey`, or `__key`); undefined for a record without key. */
  readonly key: string | undefined
  /** The exact bytes written (the envelope): deliveries send these bytes unchanged. */
  readonly value: Buffer
  /** Kafka record headers: every publish metadata key (DAPR.md §1 "Every metadata key … becomes a header"). */
  readonly headers: Readonly<Record<string, string>>
  /** Produce time, epoch ms (delivered as `__timestamp`). */
  readonly timestamp: number
}

export interface ProduceRequest {
  readonly topic: string
  readonly key?: string | undefined
  readonly value: Buffer
  readonly headers: ReadonlyMap<string, string>
}

export class BrokerUnavailableError extends Error {
  override readonly name = "BrokerUnavailableError"
  constructor() {
    // sarama's ErrOutOfBrokers: what daprd reports when Kafka cannot be reached.
    super("kafka: client has run out of available brokers to talk to")
  }
}

/** What a subscribed sidecar gives the broker for one topic. */
export interface GroupMember {
  readonly group: string
  readonly topic: string
  /** While true the member takes no new record from that partition (in-flight work continues). */
  readonly isPartitionPaused: (partition: number) => boolean
  /** Processes one record to the end: "committed" marks the offset, "abandoned" leaves it for redelivery. */
  readonly handle: (record: BrokerRecord) => Promise<"committed" | "abandoned">
}

export interface BrokerOptions {
  /** Partitions of auto-created topics (default 3). */
  readonly partitions?: number
  /** Where a new consumer group starts: `oldest` (our component setting, DAPR.md §4) or `newest`. */
  readonly initialOffset?: "oldest" | "newest"
}

interface Topic {
  readonly name: string
  readonly partitions: BrokerRecord[][]
  readonly log: BrokerRecord[]
  roundRobin: number
}

class PartitionPump {
  readonly state: GroupTopic
  readonly partition: number
  running = false
  constructor(state: GroupTopic, partition: number) {
    this.state = state
    this.partition = partition
  }

  kick() {
    if (!this.running) void this.run()
  }

  /** True when nothing here will progress without outside help (idle, paused, unowned, or caught up). */
  get settled(): boolean {
    if (this.running) return false
    const owner = this.state.ownerOf(this.partition)
    if (owner === undefined || owner.isPartitionPaused(this.partition)) return true
    return this.state.committed[this.partition] === this.state.topic.partitions[this.partition]?.length
  }

  async run() {
    this.running = true
    try {
      for (;;) {
        const owner = this.state.ownerOf(this.partition)
        if (owner === undefined || owner.isPartitionPaused(this.partition)) return
        const next = this.state.committed[this.partition] ?? 0
        const record = this.state.topic.partitions[this.partition]?.[next]
        if (record === undefined) return
        const outcome = await owner.handle(record)
        if (outcome === "committed") this.state.committed[this.partition] = record.offset + 1
        // Abandoned (the member stopped or left): hand over to the new owner, if any; never spin on the same one.
        else if (this.state.ownerOf(this.partition) === owner) return
      }
    } finally {
      this.running = false
    }
  }
}

class GroupTopic {
  readonly topic: Topic
  readonly members: GroupMember[] = []
  readonly committed: number[]
  readonly pumps: PartitionPump[]
  constructor(topic: Topic, initialOffset: "oldest" | "newest") {
    this.topic = topic
    this.committed = topic.partitions.map((p) => (initialOffset === "oldest" ? 0 : p.length))
    this.pumps = topic.partitions.map((_, i) => new PartitionPump(this, i))
  }
  /** Partition p belongs to member p mod n (members in join order): a simple, stable assignment. */
  ownerOf(partition: number): GroupMember | undefined {
    return this.members.length === 0 ? undefined : this.members[partition % this.members.length]
  }
  kickAll() {
    for (const pump of this.pumps) pump.kick()
  }
}

export class Broker {
  readonly defaultPartitions: number
  readonly initialOffset: "oldest" | "newest"
  readonly #topics = new Map<string, Topic>()
  readonly #groups = new Map<string, GroupTopic>()
  #available = true

  constructor(options: BrokerOptions = {}) {
    this.defaultPartitions = options.partitions ?? 3
    this.initialOffset = options.initialOffset ?? "oldest"
  }

  /** Creates a topic with a given partition count (topics are otherwise auto-created on first use). */
  createTopic(name: string, partitions: number = this.defaultPartitions): void {
    const existing = this.#topics.get(name)
    if (existing !== undefined) {
      if (existing.partitions.length !== partitions) {
        throw new Error(
          `[dapr-sim] topic ${name} already exists with ${existing.partitions.length} partitions`,
        )
      }
      return
    }
    if (!Number.isInteger(partitions) || partitions < 1)
      throw new Error(`[dapr-sim] bad partition count ${partitions}`)
    this.#topics.set(name, {
      name,
      partitions: Array.from({ length: partitions }, () => []),
      log: [],
      roundRobin: 0,
    })
  }

  #topic(name: string): Topic {
    this.createTopic(name)
    const topic = this.#topics.get(name)
    if (topic === undefined) throw new Error(`[dapr-sim] topic ${name} missing`)
    return topic
  }

  topics(): readonly string[] {
    return [...this.#topics.keys()]
  }

  partitionCount(topic: string): number {
    return this.#topic(topic).partitions.length
  }

  /** The partition a key lands on, e.g. to pause one user's events (`Sidecar.pausePartition`). */
  partitionFor(topic: string, key: string): number {
    return hashPartition(key, this.partitionCount(topic))
  }

  get available(): boolean {
    return this.#available
  }

  /** While unavailable, every publish (and dead-letter publish) fails; deliveries of stored records continue. */
  setAvailable(available: boolean): void {
    this.#available = available
  }

  produce(req: ProduceRequest): BrokerRecord {
    if (!this.#available) throw new BrokerUnavailableError()
    const topic = this.#topic(req.topic)
    const n = topic.partitions.length
    const partition = req.key === undefined ? topic.roundRobin++ % n : hashPartition(req.key, n)
    const log = topic.partitions[partition] ?? []
    const record: BrokerRecord = {
      topic: req.topic,
      partition,
      offset: log.length,
      key: req.key,
      value: req.value,
      headers: Object.fromEntries(req.headers),
      timestamp: Date.now(),
    }
    log.push(record)
    topic.log.push(record)
    for (const group of this.#groups.values()) if (group.topic === topic) group.pumps[partition]?.kick()
    return record
  }

  /** Every record of a topic, in produce order. */
  records(topic: string): readonly BrokerRecord[] {
    return this.#topics.get(topic)?.log ?? []
  }

  /** Adds a member to its group for one topic; returns the function that removes it again. */
  join(member: GroupMember): () => void {
    const key = `${member.group}\u0000${member.topic}`
    let state = this.#groups.get(key)
    if (state === undefined) {
      state = new GroupTopic(this.#topic(member.topic), this.initialOffset)
      this.#groups.set(key, state)
    }
    const group = state
    group.members.push(member)
    group.kickAll()
    return () => {
      const i = group.members.indexOf(member)
      if (i >= 0) group.members.splice(i, 1)
      group.kickAll()
    }
  }

  /** Wakes the pumps of a group (after a resume or a partition un-pause). */
  kick(group: string): void {
    for (const [key, state] of this.#groups) if (key.startsWith(`${group}\u0000`)) state.kickAll()
  }

  /** The next offset a group will consume from a partition (its committed offset). */
  committedOffset(group: string, topic: string, partition: number): number {
    return this.#groups.get(`${group}\u0000${topic}`)?.committed[partition] ?? 0
  }

  /** True when no record is in flight and no active, unpaused member has records left to take. */
  get settled(): boolean {
    for (const state of this.#groups.values()) for (const pump of state.pumps) if (!pump.settled) return false
    return true
  }
}
