export { getOrder } from "./get-order";
