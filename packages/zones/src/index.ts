export { intSqrt, defaultMinFreeKbytes } from "./min-free-kbytes";
