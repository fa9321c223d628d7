import { describe, expect, it } from "vitest";
import { NsmError } from "../../../src/errors.js";
import { requireTools } from "../../../src/system/preflight.js";

describe("requireTools", () => {
  it("accepts tools on the path", () => {
    expect(() => requireTools(["sh"])).not.toThrow();
  });

  it("names each missing tool with its Debian package and the command to install it", () => {
    try {
      requireTools(["sh", "nsm-no-such-tool", "ebtables-legacy-nope"]);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(NsmError);
      expect((e as NsmError).code).toBe("E_TOOL");
      expect((e as NsmError).message).toBe(
        "missing tools: nsm-no-such-tool (Debian package unknown), ebtables-legacy-nope (Debian package unknown). " +
          "Install them with: apt-get install nsm-no-such-tool ebtables-legacy-nope",
      );
    }
  });
});
