// Public surface of the compiler: model → script, pure.
export { featuresOf } from "./features.js";
export { type CompiledScript, compileVariant } from "./script.js";
export { q } from "./shell.js";
