// The building blocks of the schemas: names and addresses, each with a readable message.
import { z } from "zod";
import { IFNAME_RE, isCidr, isIp, LABEL_RE, MAC_RE, NODE_RE } from "./names.js";

export const show = (v: unknown) => JSON.stringify(v);

export const IfName = z
  .string()
  .regex(IFNAME_RE, "not a valid interface name (1-15 characters: letters, digits, '_', '.', '-')");
export const NodeName = z
  .string()
  .regex(
    NODE_RE,
    "not a valid node name (1-24 characters: lowercase letters, digits, '_', '-'; starts with a letter)",
  );
export const Label = z
  .string()
  .regex(LABEL_RE, "not a valid name (1-64 characters: letters, digits, '_', '.', '-')");
export const Ip = z.string().refine(isIp, { error: (i) => `${show(i.input)} is not an IP address` });
export const Cidr = z
  .string()
  .refine(isCidr, { error: (i) => `${show(i.input)} is not an address with prefix, like 192.0.2.1/24` });
export const Mac = z
  .string()
  .regex(MAC_RE, { error: (i) => `${show(i.input)} is not a MAC address like 02:00:00:00:00:01` });

export const Flag = z.boolean();
