// The dashboard's terminal: a shell in a task's container over the exec WebSocket. Frames are binary,
// their first byte the channel: 0 stdin, 1 stdout, 2 stderr, 3 resize {"cols","rows"}, 4 exit {"exitCode"}.
// xterm.js draws it where the server has node-xterm (loaded by commonjs.js); otherwise a plain text screen does.

import { requireFrom } from './commonjs.js';

const encoder = new TextEncoder();
let xterm = undefined; // { Terminal, fit } once loaded; null when it could not be

// xterm.js 3.8 from node-xterm's CommonJS modules (served at <base>lib/), its CSS from libjs-xterm (<base>xterm.css).
function loadXterm(base) {
  if (xterm !== undefined) return xterm;
  xterm = null;
  if (!base) return xterm;
  try {
    const { Terminal } = requireFrom(base + 'lib/', 'public/Terminal');
    let fit = null;
    try {
      fit = requireFrom(base + 'lib/', 'addons/fit/fit').proposeGeometry;
    } catch (e) {
      console.warn('xterm.js fit addon not loaded; fitting by hand', e);
    }
    const css = document.createElement('link');
    css.rel = 'stylesheet';
    css.href = base + 'xterm.css';
    document.head.appendChild(css);
    xterm = { Terminal, proposeGeometry: fit };
  } catch (e) {
    console.warn('xterm.js could not be loaded; using the plain screen', e);
  }
  return xterm;
}

function frame(channel, bytes) {
  const data = new Uint8Array(bytes.length + 1);
  data[0] = channel;
  data.set(bytes, 1);
  return data;
}

// A plain screen: output with escape sequences removed, \r and \b honoured; keys become bytes for the tty.
class PlainScreen {
  constructor(element) {
    this.element = element;
    this.pre = document.createElement('pre');
    this.pre.className = 'plain-terminal';
    element.appendChild(this.pre);
    this.lines = [''];
    this.col = 0;
    this.cols = 100;
    this.rows = 24;
    this.listeners = [];
    this.onKey = e => this.key(e);
    this.onPaste = e => { this.emit(e.clipboardData.getData('text')); e.preventDefault(); };
    element.addEventListener('keydown', this.onKey);
    element.addEventListener('paste', this.onPaste);
    element.focus();
  }
  onData(listener) { this.listeners.push(listener); }
  onResize() { } // a fixed 100×24: the text wraps instead
  emit(text) { for (const l of this.listeners) l(text); }
  key(e) {
    const special = { Enter: '\r', Backspace: '\x7f', Tab: '\t', Escape: '\x1b', ArrowUp: '\x1b[A', ArrowDown: '\x1b[B', ArrowRight: '\x1b[C', ArrowLeft: '\x1b[D', Delete: '\x1b[3~', Home: '\x1b[H', End: '\x1b[F' };
    let text = null;
    if (e.ctrlKey && e.key.length === 1 && /[a-z]/i.test(e.key)) text = String.fromCharCode(e.key.toUpperCase().charCodeAt(0) - 64);
    else if (special[e.key]) text = special[e.key];
    else if (e.key.length === 1 && !e.metaKey && !e.ctrlKey) text = e.key;
    if (text === null) return;
    e.preventDefault();
    this.emit(text);
  }
  write(text) {
    // CSI and OSC sequences, then any other two-byte escape.
    text = text.replace(/\x1b\[[0-9;?]*[ -\/]*[@-~]/g, '').replace(/\x1b\][^\x07\x1b]*(\x07|\x1b\\)/g, '').replace(/\x1b[@-_]/g, '');
    let line = this.lines[this.lines.length - 1];
    for (const ch of text) {
      if (ch === '\r') { this.col = 0; }
      else if (ch === '\n') { this.lines[this.lines.length - 1] = line; this.lines.push(''); line = ''; this.col = 0; }
      else if (ch === '\b') { this.col = Math.max(0, this.col - 1); }
      else if (ch === '\x07') { }
      else { line = line.slice(0, this.col) + ch + line.slice(this.col + 1); this.col++; }
    }
    this.lines[this.lines.length - 1] = line;
    if (this.lines.length > 2000) this.lines.splice(0, this.lines.length - 2000);
    this.pre.textContent = this.lines.join('\n');
    this.pre.scrollTop = this.pre.scrollHeight;
  }
  dispose() {
    this.element.removeEventListener('keydown', this.onKey);
    this.element.removeEventListener('paste', this.onPaste);
    this.pre.remove();
  }
}

// The rows and columns that fill the host, from the renderer's cell size (what the fit addon does).
function geometryByHand(term, host) {
  const cell = term._core && term._core.renderer && term._core.renderer.dimensions;
  if (!cell || !cell.actualCellWidth || !cell.actualCellHeight) return null;
  const scrollBar = (term._core.viewport && term._core.viewport.scrollBarWidth) || 0;
  return {
    cols: Math.floor((host.clientWidth - scrollBar) / cell.actualCellWidth),
    rows: Math.floor(host.clientHeight / cell.actualCellHeight),
  };
}

class XtermScreen {
  constructor({ Terminal, proposeGeometry }, element) {
    // The host has no padding of its own, so the terminal can fill it exactly.
    this.host = document.createElement('div');
    this.host.className = 'xterm-host';
    element.appendChild(this.host);
    // The DOM renderer keeps the text in the page (.xterm-rows): selectable, searchable, testable.
    this.term = new Terminal({ rendererType: 'dom', theme: { background: '#10141c', foreground: '#d8dee9' }, cursorBlink: true, fontSize: 13, fontFamily: 'ui-monospace, "DejaVu Sans Mono", monospace', cols: 100, rows: 24, scrollback: 2000 });
    this.term.open(this.host);
    this.proposeGeometry = proposeGeometry;
    this.fit();
    this.resizeListeners = [];
    this.term.on('resize', size => { for (const l of this.resizeListeners) l(size); });
    this.observer = new ResizeObserver(() => this.fit());
    this.observer.observe(this.host);
    this.term.focus();
  }
  fit() {
    let geometry = null;
    try {
      geometry = this.proposeGeometry ? this.proposeGeometry(this.term) : geometryByHand(this.term, this.host);
    } catch {
      geometry = geometryByHand(this.term, this.host);
    }
    if (!geometry || !(geometry.cols > 1) || !(geometry.rows > 1)) return;
    if (geometry.cols !== this.term.cols || geometry.rows !== this.term.rows) this.term.resize(geometry.cols, geometry.rows);
  }
  get cols() { return this.term.cols; }
  get rows() { return this.term.rows; }
  onData(listener) { this.term.on('data', listener); }
  onResize(listener) { this.resizeListeners.push(listener); }
  write(text) { this.term.write(text); }
  dispose() {
    this.observer.disconnect();
    this.term.dispose();
    this.host.remove();
  }
}

// xtermBase: where xterm.js is served (ending in '/'), or null when the server has none.
export function open(element, path, token, xtermBase) {
  const loaded = loadXterm(xtermBase);
  element.replaceChildren();
  // Shown (and sized) before xterm.js measures its characters: in a hidden element they measure 0.
  element.hidden = false;
  element.dataset.screen = loaded ? 'xterm' : 'plain';
  const screen = loaded ? new XtermScreen(loaded, element) : new PlainScreen(element);
  // Everything shown, as plain text, for tests and for copying.
  element.chasTranscript = '';
  const show = text => { element.chasTranscript += text; screen.write(text); };

  const url = new URL(path, location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set('access_token', token);
  const socket = new WebSocket(url);
  socket.binaryType = 'arraybuffer';
  const decoder = new TextDecoder();
  const send = (channel, bytes) => { if (socket.readyState === WebSocket.OPEN) socket.send(frame(channel, bytes)); };

  // The size the tty was told, on the element too (for tests and for a look in the developer tools).
  const resize = size => {
    element.dataset.size = `${size.cols}x${size.rows}`;
    send(3, encoder.encode(JSON.stringify({ cols: size.cols, rows: size.rows })));
  };
  socket.onopen = () => resize(screen);
  screen.onResize(resize);
  socket.onmessage = e => {
    const data = new Uint8Array(e.data);
    if (data.length === 0) return;
    const payload = data.subarray(1);
    if (data[0] === 1 || data[0] === 2) show(decoder.decode(payload, { stream: true }));
    else if (data[0] === 4) {
      let code = '?';
      try { code = JSON.parse(new TextDecoder().decode(payload)).exitCode; } catch { }
      show(`\r\n[exited with code ${code}]\r\n`);
    }
  };
  socket.onerror = () => show('\r\n[the connection failed]\r\n');
  socket.onclose = e => show(`\r\n[connection closed${e.reason ? ': ' + e.reason : ''}]\r\n`);
  screen.onData(text => send(0, encoder.encode(text)));

  return {
    close() {
      // Nothing more is shown: the screen is going away.
      socket.onmessage = socket.onerror = socket.onclose = null;
      socket.close();
      screen.dispose();
    },
  };
}
