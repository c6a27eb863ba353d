import { readFileSync } from "node:fs"
import { join } from "node:path"
import { gzipSync } from "node:zlib"
import { beforeAll, describe, expect, it } from "vitest"
import { DIST, ensureBuilt } from "../build.ts"

// Budgets of the production build (packages/web/dist), measured as a browser receives it.

const INITIAL_JS_BUDGET = 200 * 1024

const gzipSize = (text: string | Buffer) => gzipSync(text, { level: 9 }).length

/** The JavaScript the built index.html makes the browser load before anything is clicked. */
const initialJavaScript = () => {
  const html = readFileSync(join(DIST, "index.html"), "utf8")
  const files = new Set<string>()
  for (const m of html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"[^>]*>/g)) files.add(m[1]!)
  for (const m of html.matchAll(/<link\b[^>]*\brel="modulepreload"[^>]*\bhref="([^"]+)"[^>]*>/g))
    files.add(m[1]!)
  const inline = [...html.matchAll(/<script\b(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]!)
  const external = [...files].map((src) => ({
    src,
    gzip: gzipSize(readFileSync(join(DIST, src.replace(/^\//, "")))),
  }))
  return { external, inline: inline.reduce((n, s) => n + gzipSize(s), 0) }
}

describe("production build budgets", () => {
  beforeAll(async () => {
    await ensureBuilt()
  }, 180_000)

  it("loads at most 200 KB of gzipped JavaScript initially", () => {
    const { external, inline } = initialJavaScript()
    const total = external.reduce((n, f) => n + f.gzip, 0) + inline
    console.info(
      `[web] initial JavaScript: ${(total / 1024).toFixed(1)} KB gzipped (${external
        .map((f) => `${f.src} ${(f.gzip / 1024).toFixed(1)} KB`)
        .join(", ")}, inline ${inline} B)`,
    )
    expect(external.length).toBeGreaterThan(0)
    expect(total).toBeLessThanOrEqual(INITIAL_JS_BUDGET)
  })

  it("keeps the task editor and the chat panel out of the initial JavaScript", () => {
    const { external } = initialJavaScript()
    expect(external.map((f) => f.src).join(" ")).not.toMatch(/Editor|Chat/)
    const module = external.find((f) => /^\/assets\/index-[\w-]+\.js$/.test(f.src))!
    const entry = readFileSync(join(DIST, module.src.replace(/^\//, "")), "utf8")
    // Loaded on demand: the entry only names them in a dynamic import().
    expect(entry).toMatch(/import\(`\.\/Editor-[\w-]+\.js`\)/)
    expect(entry).toMatch(/import\(`\.\/Chat-[\w-]+\.js`\)/)
  })

  it("serves hashed assets under /assets/ and index.html at the root", () => {
    const html = readFileSync(join(DIST, "index.html"), "utf8")
    expect(html).toMatch(/src="\/assets\/index-[\w-]+\.js"/)
    expect(html).toMatch(/href="\/assets\/index-[\w-]+\.css"/)
  })
})
