// A model of how Kubernetes NetworkPolicy (and Cilium's CiliumNetworkPolicy, for the one peer standard policies
// cannot name: Cilium's Gateway/Ingress proxy, the "ingress" entity) decide whether a connection is allowed,
// so the chart's rendered policies can be checked against the flows the system needs and the ones it must not
// allow. Semantics per the NetworkPolicy API: a pod selected by no policy of a direction is open in that
// direction; once selected, only what some rule allows passes; a connection needs the source's egress and the
// destination's ingress. IPv4 only.
import type { K8sObject, PodTemplate } from "./support.ts"

export interface Pod {
  readonly kind: "pod"
  readonly name: string
  readonly namespace: string
  readonly labels: Record<string, string>
  /** Named container ports (the app's `http`, daprd's `dapr-metrics`). */
  readonly ports?: Record<string, number>
}
export type Peer =
  | Pod
  | { readonly kind: "ip"; readonly ip: string }
  | { readonly kind: "entity"; readonly entity: string }

export interface Flow {
  readonly from: Peer
  readonly to: Peer
  readonly port: number
  readonly protocol?: "TCP" | "UDP"
}

interface LabelSelector {
  readonly matchLabels?: Record<string, string>
  readonly matchExpressions?: ReadonlyArray<{ key: string; operator: string; values?: ReadonlyArray<string> }>
}
interface NpPort {
  readonly port?: number | string
  readonly endPort?: number
  readonly protocol?: string
}
interface NpPeer {
  readonly podSelector?: LabelSelector
  readonly namespaceSelector?: LabelSelector
  readonly ipBlock?: { readonly cidr: string; readonly except?: ReadonlyArray<string> }
}
interface NpRule {
  readonly from?: ReadonlyArray<NpPeer>
  readonly to?: ReadonlyArray<NpPeer>
  readonly ports?: ReadonlyArray<NpPort>
}
interface NetworkPolicy extends K8sObject {
  readonly spec: {
    readonly podSelector: LabelSelector
    readonly policyTypes?: ReadonlyArray<string>
    readonly ingress?: ReadonlyArray<NpRule>
    readonly egress?: ReadonlyArray<NpRule>
  }
}
interface CiliumNetworkPolicy extends K8sObject {
  readonly spec: {
    readonly endpointSelector: LabelSelector
    readonly ingress?: ReadonlyArray<{
      readonly fromEntities?: ReadonlyArray<string>
      readonly toPorts?: ReadonlyArray<{ readonly ports: ReadonlyArray<{ port: string; protocol?: string }> }>
    }>
  }
}

export const selects = (selector: LabelSelector, labels: Record<string, string>): boolean => {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key)
    const value = labels[e.key] ?? ""
    const ok =
      e.operator === "In"
        ? has && (e.values ?? []).includes(value)
        : e.operator === "NotIn"
          ? !has || !(e.values ?? []).includes(value)
          : e.operator === "Exists"
            ? has
            : e.operator === "DoesNotExist"
              ? !has
              : false
    if (!ok) return false
  }
  return true
}

const ipToInt = (ip: string): number => ip.split(".").reduce((n, octet) => n * 256 + Number(octet), 0)
export const inCidr = (ip: string, cidr: string): boolean => {
  const [base, bits] = cidr.split("/")
  const size = 2 ** (32 - Number(bits))
  const start = Math.floor(ipToInt(base ?? "") / size) * size
  const n = ipToInt(ip)
  return n >= start && n < start + size
}

const namespaceLabels = (ns: string) => ({ "kubernetes.io/metadata.name": ns })

const peerMatches = (rulePeer: NpPeer, policyNamespace: string, peer: Peer): boolean => {
  if (rulePeer.ipBlock !== undefined) {
    if (peer.kind !== "ip") return false
    const { cidr, except = [] } = rulePeer.ipBlock
    return inCidr(peer.ip, cidr) && !except.some((c) => inCidr(peer.ip, c))
  }
  if (peer.kind !== "pod") return false
  if (rulePeer.namespaceSelector !== undefined) {
    if (!selects(rulePeer.namespaceSelector, namespaceLabels(peer.namespace))) return false
  } else if (peer.namespace !== policyNamespace) return false
  return rulePeer.podSelector === undefined || selects(rulePeer.podSelector, peer.labels)
}

const portMatches = (ports: ReadonlyArray<NpPort> | undefined, flow: Flow, destination: Peer): boolean => {
  if (ports === undefined || ports.length === 0) return true
  const protocol = flow.protocol ?? "TCP"
  return ports.some((p) => {
    if ((p.protocol ?? "TCP") !== protocol) return false
    if (p.port === undefined) return true
    const port =
      typeof p.port === "number"
        ? p.port
        : destination.kind === "pod"
          ? destination.ports?.[p.port]
          : undefined
    if (port === undefined) return false
    return p.endPort === undefined ? flow.port === port : flow.port >= port && flow.port <= p.endPort
  })
}

export class NetworkModel {
  private readonly policies: NetworkPolicy[]
  private readonly cilium: CiliumNetworkPolicy[]
  private readonly namespace: string
  constructor(objects: ReadonlyArray<K8sObject>, namespace: string) {
    this.namespace = namespace
    this.policies = objects.filter((o) => o.kind === "NetworkPolicy") as NetworkPolicy[]
    this.cilium = objects.filter((o) => o.kind === "CiliumNetworkPolicy") as CiliumNetworkPolicy[]
  }

  private selecting(pod: Pod, direction: "Ingress" | "Egress"): NetworkPolicy[] {
    if (pod.namespace !== this.namespace) return []
    return this.policies.filter(
      (p) =>
        selects(p.spec.podSelector, pod.labels) &&
        (
          p.spec.policyTypes ?? (direction === "Ingress" || p.spec.egress !== undefined ? [direction] : [])
        ).includes(direction),
    )
  }

  private egressAllowed(flow: Flow): boolean {
    if (flow.from.kind !== "pod") return true
    const policies = this.selecting(flow.from, "Egress")
    if (policies.length === 0) return true
    return policies.some((p) =>
      (p.spec.egress ?? []).some(
        (rule) =>
          (rule.to === undefined || rule.to.some((peer) => peerMatches(peer, this.namespace, flow.to))) &&
          portMatches(rule.ports, flow, flow.to),
      ),
    )
  }

  private ingressAllowed(flow: Flow): boolean {
    if (flow.to.kind !== "pod") return true
    const to = flow.to
    const policies = this.selecting(to, "Ingress")
    const cilium =
      to.namespace === this.namespace
        ? this.cilium.filter((c) => selects(c.spec.endpointSelector, to.labels))
        : []
    if (policies.length === 0 && cilium.length === 0) return true
    const byPolicy = policies.some((p) =>
      (p.spec.ingress ?? []).some(
        (rule) =>
          (rule.from === undefined ||
            rule.from.some((peer) => peerMatches(peer, this.namespace, flow.from))) &&
          portMatches(rule.ports, flow, to),
      ),
    )
    const byCilium = cilium.some((c) =>
      (c.spec.ingress ?? []).some(
        (rule) =>
          flow.from.kind === "entity" &&
          (rule.fromEntities ?? []).some(
            (e) => e === (flow.from as { entity: string }).entity || e === "all",
          ) &&
          (rule.toPorts === undefined ||
            rule.toPorts.some((tp) =>
              tp.ports.some(
                (p) => Number(p.port) === flow.port && (p.protocol ?? "TCP") === (flow.protocol ?? "TCP"),
              ),
            )),
      ),
    )
    return byPolicy || byCilium
  }

  allowed(flow: Flow): boolean {
    return this.egressAllowed(flow) && this.ingressAllowed(flow)
  }
}

/**
 * The release's pods as the cluster would run them: the pod template's labels and named ports, plus, for pods
 * with a Dapr sidecar, the ports Dapr's injector adds (dapr-http 3500, dapr-grpc 50001, dapr-internal 50002,
 * dapr-metrics at dapr.io/metrics-port).
 */
export const releasePods = (objects: ReadonlyArray<K8sObject>, namespace: string): Map<string, Pod> => {
  const pods = new Map<string, Pod>()
  for (const o of objects.filter((d) => d.kind === "Deployment" || d.kind === "Job")) {
    const template = (o as K8sObject & { spec: { template: PodTemplate } }).spec.template
    const labels = template.metadata.labels ?? {}
    const ports: Record<string, number> = {}
    for (const c of template.spec.containers)
      for (const p of c.ports ?? []) if (p.name) ports[p.name] = p.containerPort
    const a = template.metadata.annotations ?? {}
    if (a["dapr.io/enabled"] === "true") {
      Object.assign(ports, {
        "dapr-http": 3500,
        "dapr-grpc": 50001,
        "dapr-internal": 50002,
        "dapr-metrics": Number(a["dapr.io/metrics-port"] ?? 9090),
      })
    }
    const component = labels["app.kubernetes.io/component"] ?? o.metadata.name
    pods.set(component, { kind: "pod", name: o.metadata.name, namespace, labels, ports })
  }
  return pods
}
