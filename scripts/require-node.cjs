// biome-ignore-all lint/style/useNodejsImportProtocol: Node before 14.18 does not know `node:` in require
// Runs before `npm install`, `npm start` and `npm test` (the `pre…` scripts in package.json) on whatever Node the
// machine has, so it is plain CommonJS that any Node parses: on an older Node the TypeScript entry points would
// otherwise die with `Unknown file extension ".ts"`. The required major version is the one in .nvmrc.
"use strict"
var fs = require("fs")
var path = require("path")

var required = Number(fs.readFileSync(path.join(__dirname, "..", ".nvmrc"), "utf8").trim())
var major = Number(process.versions.node.split(".")[0])
if (major < required) {
  process.stderr.write(
    "todo-app needs Node.js " +
      required +
      " or newer (this is " +
      process.version +
      "): run `nvm install` (reads .nvmrc) or `nix develop`, or get it from https://nodejs.org/en/download\n",
  )
  process.exit(1)
}
