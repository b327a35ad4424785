export { PAGE_ALLOC_COSTLY_ORDER } from "./constants";
