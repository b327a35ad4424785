// The default VitePress theme plus the live components of the guide and the playground.
import DefaultTheme from "vitepress/theme";
import type { Theme } from "vitepress";
import Playground from "./components/Playground.vue";
import GfpDecoder from "./components/GfpDecoder.vue";
import ZonelistView from "./components/ZonelistView.vue";
import BuddyDemo from "./components/BuddyDemo.vue";
import WatermarkDemo from "./components/WatermarkDemo.vue";
import KernelDemo from "./components/KernelDemo.vue";
import MachineView from "./components/MachineView.vue";
import ReportDemo from "./components/ReportDemo.vue";
import SlowPathDemo from "./components/SlowPathDemo.vue";
import "./style.css";

export default {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    app.component("Playground", Playground);
    app.component("GfpDecoder", GfpDecoder);
    app.component("ZonelistView", ZonelistView);
    app.component("BuddyDemo", BuddyDemo);
    app.component("WatermarkDemo", WatermarkDemo);
    app.component("KernelDemo", KernelDemo);
    app.component("MachineView", MachineView);
    app.component("ReportDemo", ReportDemo);
    app.component("SlowPathDemo", SlowPathDemo);
  },
} satisfies Theme;
