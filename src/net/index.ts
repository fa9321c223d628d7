// Public surface of net/.
export { argvSchema, CHECK_TOOLS, SETUP_TOOLS, words } from "./argv.js";
export {
  familyOf,
  IFNAME_RE,
  inPrefix,
  isPlainWords,
  MODULE_RE,
  networkOf,
  own,
  parseEndpoint,
  parseHostPort,
  SYSCTL_KEY_RE,
  SYSCTL_SHAPE_RE,
  SYSCTL_VALUE_RE,
  sameAddress,
} from "./names.js";
export { forbiddenOption, nftInclude } from "./rules.js";
export { Cidr, Endpoint, Flag, IfName, Ip, Label, Mac, NodeName, show, Timeout } from "./schema-base.js";
