import { runSlowPathScenario, SLOW_PATH_SCENARIOS } from "@pagealloc/reclaim";
import { bench, describe } from "vitest";

// Each scenario boots its zone, fills it, and runs the slow path (reclaim, compaction, kswapd, the report).
describe("reclaim scenarios", () => {
  for (const name of SLOW_PATH_SCENARIOS) {
    bench(`6.18: ${name}`, () => {
      runSlowPathScenario(name);
    });
  }
  bench("2.6.24: kswapd", () => {
    runSlowPathScenario("kswapd", { version: "2.6.24" });
  });
});
