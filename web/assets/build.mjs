// Builds Drive's front-end assets into ../static/dist, which is embedded in the
// Go binary and committed so that a fresh clone builds without npm.
//
//   node build.mjs          write ../static/dist and list what was written
//   node build.mjs --check  build in memory and fail if ../static/dist differs
//
// The output must be byte-for-byte reproducible from the same inputs, so
// nothing here may depend on time, absolute paths or file-system order.

import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import * as esbuild from 'esbuild'
import * as sass from 'sass'

const root = path.dirname(fileURLToPath(import.meta.url))
const src = path.join(root, 'src')
const dist = path.join(root, '..', 'static', 'dist')

// Static files copied as they are. All are Drive's own artwork.
const copied = ['favicon.svg', 'icon-document.svg']

function version (pkg) {
  return JSON.parse(readFileSync(path.join(root, 'node_modules', pkg, 'package.json'), 'utf8')).version
}

async function compileStyles () {
  const result = await sass.compileAsync(path.join(src, 'drive.scss'), {
    style: 'compressed',
    loadPaths: [root, path.join(root, 'node_modules')],
    importers: [new sass.NodePackageImporter(root)],
    // Warnings from GOV.UK and MOJ Frontend's own sources are theirs to fix.
    quietDeps: true,
    // src/_govuk.scss picks GOV.UK Frontend 5's components with @import, the
    // only way its Sass offers; see the note there.
    silenceDeprecations: ['import'],
    sourceMap: false,
    charset: false
  })
  return Buffer.from(result.css + '\n')
}

async function bundleScript () {
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: ['src/drive.js'],
    bundle: true,
    format: 'esm',
    // Browsers that run ES modules; esbuild fails the build if the libraries
    // use syntax it cannot lower to this.
    target: ['es2017'],
    minify: true,
    // The libraries mark ordinary doc comments @preserve; keep one notice
    // naming them and their licence instead.
    legalComments: 'none',
    banner: { js: `/*! Drive. Includes GOV.UK Frontend ${version('govuk-frontend')} and MOJ Frontend ${version('@ministryofjustice/frontend')}, MIT licence. */` },
    charset: 'utf8',
    write: false,
    logLevel: 'warning'
  })
  if (result.outputFiles.length !== 1) {
    throw new Error(`esbuild produced ${result.outputFiles.length} files, want 1`)
  }
  return Buffer.from(result.outputFiles[0].contents)
}

// Every url() in the stylesheet must name a file we ship (the Go asset server
// rewrites those to hashed names) or be a fragment or data: URL.
function checkStyles (css, names) {
  const problems = []
  for (const m of css.toString('utf8').matchAll(/url\(\s*(['"]?)([^'")]*)\1\s*\)/g)) {
    const ref = m[2]
    if (ref.startsWith('data:') || ref.startsWith('#')) continue
    if (!names.has(ref)) problems.push(`url(${ref}) does not name a file in dist`)
  }
  const text = css.toString('utf8')
  if (/GDS Transport/i.test(text)) problems.push('stylesheet mentions GDS Transport')
  if (/@font-face/i.test(text)) problems.push('stylesheet declares @font-face')
  if (/crown/i.test(text)) problems.push('stylesheet mentions the crown')
  if (problems.length > 0) {
    throw new Error('drive.css:\n  ' + problems.join('\n  '))
  }
}

async function build () {
  const files = new Map()
  for (const name of copied) {
    files.set(name, await readFile(path.join(src, name)))
  }
  files.set('drive.js', await bundleScript())
  const css = await compileStyles()
  checkStyles(css, new Set(files.keys()))
  files.set('drive.css', css)
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}

function describe (name, body) {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12)
  return `${name.padEnd(20)} ${String(body.length).padStart(8)} bytes  sha256:${hash}`
}

async function write (files) {
  await rm(dist, { recursive: true, force: true })
  await mkdir(dist, { recursive: true })
  for (const [name, body] of files) {
    await writeFile(path.join(dist, name), body)
    console.log(`wrote ${path.relative(process.cwd(), path.join(dist, name))}`)
    console.log(`  ${describe(name, body)}`)
  }
}

async function check (files) {
  const problems = []
  const present = existsSync(dist) ? (await readdir(dist)).sort() : []
  for (const name of present) {
    if (!files.has(name)) problems.push(`${name}: in dist but not built`)
  }
  for (const [name, body] of files) {
    if (!present.includes(name)) {
      problems.push(`${name}: built but missing from dist`)
    } else if (!body.equals(await readFile(path.join(dist, name)))) {
      problems.push(`${name}: differs from a fresh build`)
    }
  }
  if (problems.length > 0) {
    console.error('web/static/dist is out of date; run npm run build in web/assets:')
    for (const p of problems) console.error(`  ${p}`)
    process.exitCode = 1
    return
  }
  console.log(`web/static/dist matches a fresh build (${files.size} files)`)
}

const files = await build()
if (process.argv.includes('--check')) {
  await check(files)
} else {
  await write(files)
}
