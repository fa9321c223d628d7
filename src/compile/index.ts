// Public surface of the compiler: model → script, pure.

export { q } from "../shell.js";
export { featuresOf } from "./features.js";
export { drawTopology, type GraphFormat } from "./graph.js";
export { CHECKS_BEGIN, type CompiledScript, compileVariant, variantTools } from "./script.js";
