// The JSON Schema of the machine description format. The same document ships as
// `@pagealloc/physmem/machine.schema.json` (schema/machine.schema.json, kept equal by a test).
// The schema describes the shape; `validateMachine` also checks what a schema cannot
// (overlaps, alignment, the arch's address limit, CPU and node id uniqueness).

const size = {
  description: 'Bytes: a non-negative integer, or a string: decimal or 0x hex with an optional K/M/G/T/P/E suffix (powers of 1024), e.g. "0x100000000", "4G", "512M".',
  oneOf: [
    { type: "integer", minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
    { type: "string", pattern: "^\\s*(0[xX][0-9a-fA-F]+|[0-9]+)\\s*([kmgtpeKMGTPE]([iI]?[bB])?|[bB])?\\s*$" },
  ],
} as const;

const range = {
  type: "object",
  description: "A physical address range: start plus end (exclusive) or size; page aligned.",
  properties: { start: { $ref: "#/$defs/size" }, end: { $ref: "#/$defs/size" }, size: { $ref: "#/$defs/size" } },
  required: ["start"],
  oneOf: [{ required: ["end"] }, { required: ["size"] }],
  additionalProperties: false,
} as const;

const zoneName = { enum: ["DMA", "DMA32", "Normal", "HighMem", "Movable", "Device"] } as const;

/**
 * JSON Schema (draft 2020-12) of {@link MachineDescription}. Also published as the file
 * `@pagealloc/physmem/machine.schema.json`, usable as `"$schema"` in machine files for editor help.
 *
 * @example
 * ```ts
 * import { machineSchema } from "@pagealloc/physmem";
 * console.log(machineSchema.required.join(",")); // => name,arch,nodes
 * ```
 */
export const machineSchema = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: "https://pagealloc.dev/schema/machine.schema.json",
  title: "pagealloc machine description",
  description: "A machine for pagealloc: architecture, NUMA nodes with CPUs and physical memory ranges, node distances.",
  type: "object",
  required: ["name", "arch", "nodes"],
  additionalProperties: false,
  properties: {
    $schema: { type: "string" },
    name: { type: "string", minLength: 1 },
    description: { type: "string" },
    arch: { enum: ["x86_64", "i386", "i386-pae", "arm64"] },
    archOptions: {
      type: "object",
      additionalProperties: false,
      properties: {
        fiveLevelPaging: { type: "boolean", description: "x86_64: 5-level paging (52-bit physical addresses)." },
        lowmemLimitPfn: { type: "integer", description: "i386: end of ZONE_NORMAL (max_low_pfn cap) in pfns." },
        zoneDmaLimit: { $ref: "#/$defs/size", description: "arm64 5.5+: zone_dma_limit in bytes (e.g. 1G on a Raspberry Pi 4)." },
        pageShift: { enum: [12, 14, 16], description: "arm64: page granule (4K, 16K, 64K)." },
        zoneDevice: { type: "boolean", description: "Whether ZONE_DEVICE is configured (default: where supported)." },
      },
    },
    nodes: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        required: ["id", "memory"],
        additionalProperties: false,
        properties: {
          id: { type: "integer", minimum: 0, maximum: 1023 },
          cpus: {
            description: 'CPU ids: an array or a kernel CPU list such as "0-3,8-11".',
            oneOf: [{ type: "array", items: { type: "integer", minimum: 0, maximum: 8191 }, uniqueItems: true }, { type: "string" }],
          },
          memory: { type: "array", items: { $ref: "#/$defs/range" } },
          reserved: { type: "array", items: { $ref: "#/$defs/range" }, description: "Boot-time reservations inside the node's memory." },
          zones: {
            type: "object",
            description: 'Per-zone overrides, e.g. {"DMA": {"managed": 3840}}.',
            propertyNames: zoneName,
            additionalProperties: {
              type: "object",
              additionalProperties: false,
              properties: { managed: { type: "integer", minimum: 0 } },
            },
          },
        },
      },
    },
    distance: {
      description: "SLIT distances, rows/columns in the order of nodes: 10 on the diagonal, 11..255 elsewhere.",
      type: "array",
      items: { type: "array", items: { type: "integer", minimum: 10, maximum: 255 } },
    },
    distanceAsymmetric: { type: "boolean" },
    cmdline: {
      type: "object",
      additionalProperties: false,
      properties: {
        kernelcore: { type: "string", description: 'kernelcore=: a size ("512M"), a percentage ("20%") or "mirror".' },
        movablecore: { type: "string", description: 'movablecore=: a size or a percentage.' },
      },
    },
  },
  $defs: { size, range },
} as const;
