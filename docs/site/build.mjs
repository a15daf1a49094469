// Builds jcni's documentation site (VitePress) from the repository's Markdown, as it is on GitHub:
//   node build.mjs --javadoc DIR --out DIR
// The Markdown is staged first (docs/site/.stage), so docs/ stays plain GitHub Markdown:
//  - README.md (the repository's) is the home page; docs/README.md is "contents"; any other
//    README.md is its folder's index;
//  - every relative link is resolved against the repository: a page's link goes to that page; a link
//    to a Java source of a published module goes to its Javadoc page when there is one; a link to any
//    other file or folder goes to a generated page that shows the file (or lists the folder); a link
//    to nothing fails the build;
//  - the sidebar is docs/README.md's lists, in its order (pages it does not list come last, under "More").
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vitepress';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) =>
  (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
const javadoc = args.javadoc ? path.resolve(args.javadoc) : '';
const out = path.resolve(args.out ?? path.join(repo, 'target/site'));
// inside docs/site, so that the pages resolve vue and vitepress from its node_modules
const stage = path.join(here, '.stage');

const skipDirs = new Set(['node_modules', 'target', 'site', '.git', '.vitepress']);
function markdownFiles(dir) {
  const found = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory() && !skipDirs.has(e.name)) found.push(...markdownFiles(p));
    else if (e.isFile() && e.name.endsWith('.md')) found.push(p);
  }
  return found;
}

// repository path (relative, '/'-separated) -> site page (relative, ends in .md)
const pages = new Map([['README.md', 'index.md']]);
for (const f of markdownFiles(path.join(repo, 'docs'))) {
  const rel = path.relative(repo, f).split(path.sep).join('/');
  let page = rel.slice('docs/'.length);
  if (page === 'README.md') page = 'contents.md';
  else if (page.endsWith('/README.md')) page = page.slice(0, -'README.md'.length) + 'index.md';
  pages.set(rel, page);
}

// Javadoc pages by source file: cni-sdk/src/main/java/dev/jcni/sdk/skel/Plugin.java -> api/dev.jcni.sdk/dev/jcni/sdk/skel/Plugin.html
const javadocBySource = new Map();
if (javadoc) {
  for (const module of fs.readdirSync(repo)) {
    const info = path.join(repo, module, 'src/main/java/module-info.java');
    if (!fs.existsSync(info)) continue;
    const name = /module\s+([\w.]+)/.exec(fs.readFileSync(info, 'utf8'))?.[1];
    if (!name || !fs.existsSync(path.join(javadoc, name))) continue;
    const walk = (dir) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.html')) {
          const cls = path.relative(path.join(javadoc, name), p).split(path.sep).join('/').replace(/\.html$/, '.java');
          javadocBySource.set(`${module}/src/main/java/${cls}`, `api/${name}/${cls.replace(/\.java$/, '.html')}`);
        }
      }
    };
    walk(path.join(javadoc, name));
  }
}

fs.rmSync(stage, { recursive: true, force: true });
const generated = new Map(); // site page -> content, for files and folders that are not pages

function sourcePage(rel) {
  const page = `source/${rel}.md`;
  if (!generated.has(page)) {
    const abs = path.join(repo, rel);
    if (fs.statSync(abs).isDirectory()) {
      const entries = fs.readdirSync(abs, { withFileTypes: true })
        .filter((e) => !skipDirs.has(e.name) && !e.name.startsWith('.'))
        .sort((a, b) => a.name.localeCompare(b.name));
      generated.set(page, null); // placeholder while the entries' links are made
      const lines = entries.map((e) => `- [${e.name}${e.isDirectory() ? '/' : ''}](${
        path.posix.relative(path.posix.dirname(page), linkTarget(`${rel}/${e.name}`))})`);
      generated.set(page, `# ${rel}/\n\nA folder of the repository.\n\n${lines.join('\n')}\n`);
    } else {
      const text = fs.readFileSync(abs, 'utf8');
      const lang = { java: 'java', xml: 'xml', json: 'json', sh: 'sh', py: 'python', mjs: 'js', yaml: 'yaml', yml: 'yaml' }[
        path.extname(rel).slice(1)] ?? (text.startsWith('#!/bin/sh') ? 'sh' : 'text');
      const fence = text.includes('```') ? '~~~~' : '```';
      generated.set(page, `# ${path.basename(rel)}\n\n\`${rel}\` in the repository.\n\n${fence}${lang}\n${text}${
        text.endsWith('\n') ? '' : '\n'}${fence}\n`);
    }
  }
  return page;
}

// The site path a repository path is shown at (pages, Javadoc, or a generated page); null when it does not exist.
function linkTarget(rel) {
  if (pages.has(rel)) return pages.get(rel);
  if (pages.has(`${rel}/README.md`)) return pages.get(`${rel}/README.md`);
  if (javadocBySource.has(rel)) return javadocBySource.get(rel);
  if (fs.existsSync(path.join(repo, rel))) return sourcePage(rel);
  return null;
}

function rewrite(text, fromRel, fromPage) {
  const lines = text.split('\n');
  let fence = null;
  const broken = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*(```+|~~~+)/.exec(lines[i]);
    if (m) {
      if (fence === null) fence = m[1][0];
      else if (m[1][0] === fence) fence = null;
      continue;
    }
    if (fence !== null) continue;
    // [text](target) outside inline code spans
    lines[i] = lines[i].split(/(`[^`]*`)/).map((part) => part.startsWith('`') ? part : part.replace(
      /\]\(([^)\s]+)\)/g, (all, target) => {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#') || target.startsWith('/')) return all;
        const [file, anchor] = target.split('#');
        const rel = path.posix.normalize(path.posix.join(path.posix.dirname(fromRel), file)).replace(/\/$/, '');
        const site = linkTarget(rel);
        if (site === null) {
          broken.push(target);
          return all;
        }
        const hash = anchor !== undefined ? '#' + anchor : '';
        // Javadoc is not a VitePress page: a plain link, out of the client-side router
        if (site.startsWith('api/')) return `](/${site}${hash}){target="_self"}`;
        return `](${path.posix.relative(path.posix.dirname(fromPage), site) || path.posix.basename(site)}${hash})`;
      })).join('');
  }
  return { text: lines.join('\n'), broken };
}

let broken = [];
const titles = new Map();
for (const [rel, page] of pages) {
  const { text, broken: b } = rewrite(fs.readFileSync(path.join(repo, rel), 'utf8'), rel, page);
  broken.push(...b.map((t) => `${rel}: ${t}`));
  titles.set(page, (/^# (.+)$/m.exec(text)?.[1] ?? page).replace(/`/g, ''));
  fs.mkdirSync(path.dirname(path.join(stage, page)), { recursive: true });
  fs.writeFileSync(path.join(stage, page), text);
}
for (const [page, text] of generated) {
  fs.mkdirSync(path.dirname(path.join(stage, page)), { recursive: true });
  fs.writeFileSync(path.join(stage, page), text);
}
if (broken.length) {
  console.error('links to nothing in the repository:\n  ' + broken.join('\n  '));
  process.exit(1);
}
if (javadoc) fs.cpSync(javadoc, path.join(stage, 'public/api'), { recursive: true });

// The sidebar: docs/README.md's groups (a line of text, then a list of links), in order.
// "Getting started: a CNI plugin in Java, ..." -> "Getting started"
const short = (title) => title.split(': ')[0];
const toLink = (page) => '/' + page.replace(/(^|\/)index\.md$/, '$1').replace(/\.md$/, '.html');
const sidebar = [{ text: 'Start', items: [
  { text: 'jcni', link: '/' },
  ...(pages.has('docs/getting-started.md') ? [{ text: short(titles.get('getting-started.md')), link: toLink('getting-started.md') }] : []),
  { text: 'All documentation', link: toLink('contents.md') }] }];
const listed = new Set(['index.md', 'contents.md', 'getting-started.md']);
let group = null;
for (const line of fs.readFileSync(path.join(stage, 'contents.md'), 'utf8').split('\n')) {
  if (/^\s*[-*] /.test(line) && group) {
    for (const link of line.matchAll(/\]\(([^)#{]+)[^)]*\)/g)) {
      const page = path.posix.normalize(link[1]);
      if (titles.has(page) && !listed.has(page)) {
        listed.add(page);
        group.items.push({ text: short(titles.get(page)), link: toLink(page) });
      }
    }
  } else if (/^[A-Z][^#|>`-]*$/.test(line.trim()) && !line.startsWith('#')) {
    group = { text: line.trim(), collapsed: false, items: [] };
    sidebar.push(group);
  }
}
const more = [...titles.keys()].filter((p) => !listed.has(p)).sort();
if (more.length) sidebar.push({ text: 'More', collapsed: true, items: more.map((p) => ({ text: short(titles.get(p)), link: toLink(p) })) });
if (javadoc) sidebar.push({ text: 'API', items: [{ text: 'Javadoc', link: '/api/index.html', target: '_self' }] });

const config = {
  title: 'jcni',
  description: 'A Java SDK for CNI plugins and runtimes',
  srcDir: '.',
  srcExclude: ['public/**'],
  outDir: out,
  cacheDir: path.join(here, '.cache'),
  lastUpdated: false,
  cleanUrls: false,
  // Javadoc pages are static files, not VitePress pages; check-links.py checks every link of the built site
  ignoreDeadLinks: [/^\/api\//],
  // GitHub shows a stray <tag> of a page's text as text; so does the site (VitePress would compile it as Vue)
  markdown: { html: false },
  themeConfig: {
    nav: [
      { text: 'Getting started', link: pages.has('docs/getting-started.md') ? toLink('getting-started.md') : '/' },
      ...(javadoc ? [{ text: 'Javadoc', link: '/api/index.html', target: '_self' }] : []),
    ],
    sidebar,
    search: { provider: 'local' },
    outline: [2, 3],
  },
};
fs.mkdirSync(path.join(stage, '.vitepress'), { recursive: true });
fs.writeFileSync(path.join(stage, '.vitepress/config.mjs'),
  `// generated by docs/site/build.mjs\nexport default ${JSON.stringify(config, (k, v) => v instanceof RegExp ? { __re: v.source } : v, 2)
    .replace(/\{\s*"__re": "([^"]*)"\s*\}/g, (all, re) => `/${re.replace(/\\\\/g, '\\')}/`)};\n`);
await build(stage);
console.log(`site: ${out} (${pages.size} pages, ${generated.size} generated pages${javadoc ? ', Javadoc in api/' : ''})`);
