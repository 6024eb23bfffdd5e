// A small CommonJS loader for the page: Debian packages xterm.js only as Node modules (node-xterm), and the
// dashboard has no bundler. `require` resolves a relative path against the requiring module's directory,
// fetches `<path>.js` (else `<path>/index.js`) and runs it once; later requires get the cached exports.
// The requests are synchronous, as `require` is: a few dozen small files, once per page.

const modules = new Map(); // absolute URL -> module ({ exports })

function fetchText(url) {
  const request = new XMLHttpRequest();
  request.open('GET', url, false);
  request.send();
  return request.status === 200 ? request.responseText : null;
}

function load(path, directory) {
  const base = new URL(path, directory).href.replace(/\.js$/, '');
  for (const url of [base + '.js', base + '/index.js']) {
    const cached = modules.get(url);
    if (cached) return cached.exports;
    const source = fetchText(url);
    if (source === null) continue;
    const module = { exports: {} };
    // Registered before it runs, so that a cycle gets the exports filled so far, as in Node.
    modules.set(url, module);
    const here = new URL('.', url).href;
    const require = name => {
      if (!name.startsWith('./') && !name.startsWith('../')) throw new Error(`cannot require '${name}' from ${url}: only relative paths are served`);
      return load(name, here);
    };
    try {
      new Function('exports', 'require', 'module', source + '\n//# sourceURL=' + url)(module.exports, require, module);
    } catch (e) {
      modules.delete(url);
      throw e;
    }
    return module.exports;
  }
  throw new Error(`cannot find module '${path}' (looked for ${base}.js and ${base}/index.js)`);
}

/** The exports of the module at `path`, relative to `root` (a URL ending in '/'). */
export function requireFrom(root, path) {
  return load(path.startsWith('.') ? path : './' + path, new URL(root, location.href).href);
}
