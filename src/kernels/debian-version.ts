// Debian version comparison, as dpkg does it (lib/dpkg/version.c): epoch, then upstream, then revision.

interface DebianVersion {
  epoch: number;
  upstream: string;
  revision: string;
}

function split(v: string): DebianVersion {
  const colon = v.indexOf(":");
  const epoch = colon < 0 ? 0 : Number(v.slice(0, colon));
  const rest = colon < 0 ? v : v.slice(colon + 1);
  const dash = rest.lastIndexOf("-");
  return dash < 0
    ? { epoch, upstream: rest, revision: "" }
    : { epoch, upstream: rest.slice(0, dash), revision: rest.slice(dash + 1) };
}

const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";
const isAlpha = (c: string) => /^[A-Za-z]$/.test(c);

// Weight of one character in a non-digit run: end of string 0, letters first, `~` before everything.
function order(c: string | undefined): number {
  if (c === undefined || isDigit(c)) return 0;
  if (isAlpha(c)) return c.charCodeAt(0);
  if (c === "~") return -1;
  return c.charCodeAt(0) + 256;
}

// dpkg's verrevcmp: alternating non-digit runs (by `order`) and digit runs (numerically).
function compareParts(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const d = order(a[i]) - order(b[j]);
      if (d !== 0) return d;
      i++;
      j++;
    }
    while (a[i] === "0") i++;
    while (b[j] === "0") j++;
    let firstDiff = 0;
    while (isDigit(a[i]) && isDigit(b[j])) {
      if (!firstDiff) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigit(a[i])) return 1;
    if (isDigit(b[j])) return -1;
    if (firstDiff) return firstDiff;
  }
  return 0;
}

/** Negative, zero or positive as Debian version a sorts before, with or after b. */
export function compareDebianVersions(a: string, b: string): number {
  const va = split(a);
  const vb = split(b);
  if (va.epoch !== vb.epoch) return va.epoch - vb.epoch;
  return Math.sign(compareParts(va.upstream, vb.upstream) || compareParts(va.revision, vb.revision));
}
