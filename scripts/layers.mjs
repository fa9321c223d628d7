// `npm run check`'s layer check: no import cycle between modules, imports between folders go one
// way (the table below), and a folder is entered through its index.ts. Type imports count: a type
// is a dependency too. Prints each violation; exits 1 when there is one.
import madge from "madge";

// Who may import whom, lowest first. A folder of src/ (or a top-level file, by its name) may import
// the leaves and what its line lists; nothing else. Written as the pipeline runs: files → model →
// script → backend → TAP → results → reporters, with the system's effects at the edge.
const LEAVES = ["errors", "text", "shell", "package", "pool", "script-run"];
const MAY_IMPORT = {
  system: [],
  net: [],
  checks: ["net", "system"],
  model: ["checks", "net", "system"],
  compile: ["model", "checks", "net", "system"],
  kernels: ["system"],
  userspace: ["kernels", "system"],
  backends: ["compile", "kernels", "userspace", "system"],
  results: ["model", "checks"],
  schemas: ["model", "results"],
  run: ["backends", "compile", "kernels", "userspace", "model", "checks", "results", "system"],
  api: ["run", "backends", "compile", "kernels", "userspace", "model", "results", "system"],
  cli: [
    "api",
    "run",
    "backends",
    "compile",
    "kernels",
    "userspace",
    "model",
    "checks",
    "results",
    "schemas",
    "system",
    "net",
  ],
  vitest: ["api", "compile", "model", "results", "run"],
  index: ["api", "compile", "model", "results", "run"],
};
// compile is pure: of the system it reads only the package table (data).
const ONLY = { compile: { system: ["system/packages.ts"] } };
// The command table is built before any command runs: it may take these few modules directly
// (constants, and exec, which loads execa on its first spawn) so that --version and validate do
// not load what the other folders' index.ts would (the backends, testcontainers).
const DIRECT = {
  cli: ["results/formats.ts", "system/paths.ts", "system/exec.ts", "kernels/catalog.ts", "userspace/spec.ts"],
};

const folderOf = (file) => (file.includes("/") ? file.split("/")[0] : file.replace(/\.ts$/, ""));
// A folder's public surface: its index.ts, or a subfolder's (backends/qemu/index.ts).
const isEntry = (file) => /(^|\/)index\.ts$/.test(file);

const res = await madge("src", {
  fileExtensions: ["ts"],
  tsConfig: "tsconfig.json",
  detectiveOptions: { ts: { skipTypeImports: false } },
});
const graph = res.obj();
const problems = [];
for (const cycle of res.circular()) problems.push(`cycle: ${cycle.join(" > ")}`);
for (const [from, deps] of Object.entries(graph)) {
  const a = folderOf(from);
  for (const to of deps) {
    const b = folderOf(to);
    if (a === b) {
      // Inside a folder, a subfolder is entered through its index too (results/reporters/index.ts).
      const sub = (f) => f.split("/").slice(0, -1).join("/");
      if (sub(to) !== sub(from) && !sub(from).startsWith(sub(to)) && !isEntry(to) && to.split("/").length > 2)
        problems.push(`${from} imports ${to}: enter ${sub(to)}/ through its index.ts`);
      continue;
    }
    if (LEAVES.includes(b)) continue;
    const allowed = MAY_IMPORT[a];
    if (!allowed) {
      problems.push(`${from}: folder "${a}" has no line in scripts/layers.mjs`);
      continue;
    }
    if (!allowed.includes(b)) {
      problems.push(
        `${from} imports ${to}: ${a} may not import ${b} (it may import: ${allowed.join(", ") || "leaves only"})`,
      );
      continue;
    }
    const only = ONLY[a]?.[b];
    if (only && !only.includes(to))
      problems.push(`${from} imports ${to}: ${a} may import only ${only.join(", ")} of ${b}`);
    else if (
      !only &&
      to.includes("/") &&
      !isEntry(to) &&
      to.split("/").length === 2 &&
      !DIRECT[a]?.includes(to)
    )
      problems.push(`${from} imports ${to}: enter ${b}/ through its index.ts`);
  }
}
for (const p of problems) console.error(`layers: ${p}`);
if (problems.length) {
  console.error(`layers: ${problems.length} problem(s); the allowed directions are in scripts/layers.mjs`);
  process.exit(1);
}
console.log(`layers: ${Object.keys(graph).length} modules, no cycle, every import in its direction`);
