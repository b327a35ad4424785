import fs from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { presets } from "./presets";
import { machineSchema } from "./schema";

const file = path.join(__dirname, "..", "schema", "machine.schema.json");

it("the published schema file is machineSchema (regenerate with UPDATE_SCHEMA=1 npx vitest run src/schema.test.ts)", () => {
  const text = `${JSON.stringify(machineSchema, null, 2)}\n`;
  if (process.env.UPDATE_SCHEMA) fs.writeFileSync(file, text);
  expect(fs.readFileSync(file, "utf8")).toBe(text);
});

it("the schema's closed property lists match what validateMachine accepts", () => {
  expect(Object.keys(machineSchema.properties).sort()).toEqual(
    ["$schema", "name", "description", "arch", "archOptions", "nodes", "distance", "distanceAsymmetric", "cmdline"].sort(),
  );
  expect(Object.keys(machineSchema.properties.nodes.items.properties).sort()).toEqual(["cpus", "id", "memory", "reserved", "zones"]);
});

it("every preset's size strings match the schema's size pattern", () => {
  const re = new RegExp(machineSchema.$defs.size.oneOf[1].pattern);
  for (const p of Object.values(presets)) {
    for (const n of p.description.nodes) {
      for (const r of [...n.memory, ...(n.reserved ?? [])]) {
        for (const v of Object.values(r)) if (typeof v === "string") expect(v).toMatch(re);
      }
    }
  }
});
