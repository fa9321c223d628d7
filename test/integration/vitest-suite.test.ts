// A project's own vitest suite, written with nsmatrix/vitest as the README shows: the checks of
// a scenario × kernels become tests of this suite. (Imports the package by its name: the build.)

import { nsmatrixSuite } from "nsmatrix/vitest";
import { describe, it } from "vitest";
import { isRoot, whyNot } from "./helpers.js";

if (isRoot) {
  nsmatrixSuite(["test/fixtures/scenarios/two-hosts.yaml"], { kernels: ["host"], variants: ["plain"] });
} else {
  describe.skip("nsmatrix/vitest", () => it(whyNot, () => {}));
}
