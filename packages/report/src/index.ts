export { stripLogPrefix } from "./log-prefix";
